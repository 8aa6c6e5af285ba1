using System.Globalization;
using System.Runtime.InteropServices;

namespace TaskFlow.Workspaces.Container;

/// <summary>
/// The processes of one exec, found and killed from the host through <c>/proc</c>, since the
/// Engine API cannot stop an exec. runc starts every exec as a session leader, so each process
/// the command starts shares its session id (the exec's pid) and keeps it when it is
/// reparented to the container's init after its parent dies; one that calls setsid itself is
/// still a descendant. Every candidate is checked to be in the container's cgroup before it
/// is signalled, so nothing outside the workspace is ever touched.
/// </summary>
/// <remarks>
/// Needs the host's PID namespace (the engine's pids are the ones <c>/proc</c> shows), the
/// right to signal the container's user (as root or as that user), and runc: a sandboxing
/// runtime such as gVisor runs the command in processes of its own that the host does not see.
/// </remarks>
internal static class ExecProcesses
{
    private const int SigKill = 9;

    /// <summary>Whether this process sees the container's processes under the pids the engine reports.</summary>
    public static bool CanSee(long containerInitPid, string containerId) =>
        containerInitPid > 0 && InContainer((int)containerInitPid, containerId);

    /// <summary>The live processes of the exec whose pid (and so session id) is <paramref name="sessionId"/>.</summary>
    public static List<int> Find(long sessionId, string containerId)
    {
        var table = ReadTable();
        var members = new HashSet<int>();
        foreach (var (pid, entry) in table)
        {
            if (entry.Session == sessionId)
            {
                members.Add(pid);
            }
        }

        // Descendants that left the session (setsid) are still the command's.
        bool grew;
        do
        {
            grew = false;
            foreach (var (pid, entry) in table)
            {
                if (!members.Contains(pid) && members.Contains(entry.Parent))
                {
                    members.Add(pid);
                    grew = true;
                }
            }
        }
        while (grew);

        return members.Where(pid => table[pid].State is not ('Z' or 'X') && InContainer(pid, containerId)).ToList();
    }

    /// <summary>
    /// SIGKILLs the exec's processes, round after round until none is left (a fork bomb adds
    /// children between a scan and its kills). Returns how many were signalled and whether any survived.
    /// </summary>
    public static async Task<(int Killed, bool Survivors)> KillAsync(long sessionId, string containerId, CancellationToken cancellationToken = default)
    {
        const int rounds = 100;
        var killed = 0;
        var emptyScans = 0;
        for (var round = 0; round < rounds; round++)
        {
            var targets = Find(sessionId, containerId);
            if (targets.Count == 0)
            {
                // A child forked while its parent was being killed can be missing from one scan
                // of /proc on a busy machine: after killing, only two empty scans in a row mean
                // none is left. Nothing to kill at all (the usual end of a command) needs no second look.
                if (killed == 0 || ++emptyScans == 2)
                {
                    return (killed, false);
                }

                await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken);
                continue;
            }

            emptyScans = 0;

            var signalled = 0;
            foreach (var pid in targets)
            {
                if (kill(pid, SigKill) == 0)
                {
                    signalled++;
                }
            }

            if (signalled == 0)
            {
                // Not allowed to signal them (neither root nor their user): more rounds will not help.
                return (killed, true);
            }

            killed += signalled;

            await Task.Delay(TimeSpan.FromMilliseconds(round < 10 ? 10 : 50), cancellationToken);
        }

        return (killed, Find(sessionId, containerId).Count > 0);
    }

    private readonly record struct Entry(int Parent, long Session, char State);

    private static Dictionary<int, Entry> ReadTable()
    {
        var table = new Dictionary<int, Entry>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(directory, "stat"));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // It exited between the listing and the read.
                continue;
            }

            if (ParseStat(stat) is { } entry)
            {
                table[pid] = entry;
            }
        }

        return table;
    }

    /// <summary>Reads state, parent and session from <c>/proc/PID/stat</c>: "pid (comm) state ppid pgrp session ...", where comm may hold spaces and parentheses.</summary>
    private static Entry? ParseStat(string stat)
    {
        var end = stat.LastIndexOf(')');
        if (end < 0)
        {
            return null;
        }

        var fields = stat[(end + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 4
            || !int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var parent)
            || !long.TryParse(fields[3], NumberStyles.None, CultureInfo.InvariantCulture, out var session))
        {
            return null;
        }

        return new Entry(parent, session, fields[0][0]);
    }

    private static bool InContainer(int pid, string containerId)
    {
        try
        {
            // Both the cgroupfs (/docker/ID) and systemd (docker-ID.scope) drivers name the container's id.
            return File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/cgroup").Contains(containerId, StringComparison.Ordinal);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);
}
