using System.Globalization;

namespace TaskFlow.Workspaces.Process;

/// <summary>
/// One cgroup in each of the cgroup v1 hierarchies this provider uses, at the same relative path
/// (<c>{root}/{memory,pids,cpu}/{path}</c>). A process written to every <see cref="ProcsFiles"/>
/// entry is limited by all three, and so is everything it starts.
/// </summary>
internal sealed class CgroupSet(string root, string relativePath)
{
    public static readonly string[] Controllers = ["memory", "pids", "cpu"];

    // A cgroup that still holds processes cannot be removed; they are killed and waited for at
    // most this long (processes in uninterruptible sleep take a moment to die).
    private static readonly TimeSpan RemoveDeadline = TimeSpan.FromSeconds(5);

    private const long CpuPeriodMicroseconds = 100_000;

    public string RelativePath { get; } = relativePath;

    public string PathOf(string controller) => Path.Combine(root, controller, RelativePath);

    public IEnumerable<string> ProcsFiles => Controllers.Select(c => Path.Combine(PathOf(c), "cgroup.procs"));

    public bool Exists => Controllers.All(c => Directory.Exists(PathOf(c)));

    public CgroupSet Child(string name) => new(root, Path.Combine(RelativePath, name));

    /// <summary>Why cgroups cannot be made under <paramref name="parent"/> here, or null when they can (checked by making and removing one).</summary>
    public static string? Problem(string root, string parent)
    {
        foreach (var controller in Controllers)
        {
            var hierarchy = Path.Combine(root, controller);
            if (!File.Exists(Path.Combine(hierarchy, "cgroup.procs")))
            {
                return $"the cgroup v1 '{controller}' controller is not mounted at {hierarchy} (cgroup v2-only hosts are not supported by this mode)";
            }
        }

        var probe = new CgroupSet(root, Path.Combine(parent, $"probe-{Guid.NewGuid():N}"));
        try
        {
            probe.CreateFolders();
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return $"cgroups cannot be created under {Path.Combine(root, "{memory,pids,cpu}", parent)} ({ex.Message}); run TaskFlow as root or delegate those cgroups to its user";
        }
        finally
        {
            foreach (var controller in Controllers)
            {
                TryRemoveFolder(probe.PathOf(controller));
            }
        }
    }

    /// <summary>Makes the cgroups (and their parents) and sets the workspace's limits. Calling it again resets the limits.</summary>
    /// <param name="extraPids">Processes the sandbox itself needs besides the workspace's own (bubblewrap's).</param>
    public void Create(WorkspaceLimits limits, int extraPids)
    {
        CreateFolders();

        var memory = limits.MemoryBytes.ToString(CultureInfo.InvariantCulture);
        var memsw = Path.Combine(PathOf("memory"), "memory.memsw.limit_in_bytes");
        if (File.Exists(memsw))
        {
            // memory+swap may never be below memory: lift it first, then bound both, so swap cannot
            // stretch the limit (the file exists only when the kernel accounts swap).
            File.WriteAllText(memsw, "-1");
            Write("memory", "memory.limit_in_bytes", memory);
            File.WriteAllText(memsw, memory);
        }
        else
        {
            Write("memory", "memory.limit_in_bytes", memory);
        }

        Write("pids", "pids.max", (limits.Pids + extraPids).ToString(CultureInfo.InvariantCulture));

        var quota = Math.Max(1_000, (long)Math.Round(limits.Cpus * CpuPeriodMicroseconds));
        Write("cpu", "cpu.cfs_period_us", CpuPeriodMicroseconds.ToString(CultureInfo.InvariantCulture));
        Write("cpu", "cpu.cfs_quota_us", quota.ToString(CultureInfo.InvariantCulture));
    }

    public void CreateFolders()
    {
        foreach (var controller in Controllers)
        {
            Directory.CreateDirectory(PathOf(controller));
        }
    }

    /// <summary>
    /// How many processes the OOM killer has killed in this memory cgroup, or null when the kernel
    /// does not count them (before 4.13). In cgroup v1 the count belongs to the victim's own cgroup,
    /// not its parents.
    /// </summary>
    /// <summary>Lets <paramref name="user"/> move its own processes into these cgroups (and nothing else: the limits stay root's).</summary>
    public void GiveProcsFiles(int user, int group)
    {
        foreach (var procs in ProcsFiles)
        {
            Posix.Chown(procs, user, group);
        }
    }

    public long? OomKills()
    {
        try
        {
            foreach (var line in File.ReadLines(Path.Combine(PathOf("memory"), "memory.oom_control")))
            {
                if (line.StartsWith("oom_kill ", StringComparison.Ordinal))
                {
                    return long.Parse(line.AsSpan("oom_kill ".Length), CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
        }

        return null;
    }

    /// <summary>How often memory use hit the limit (reclaim or OOM), or null when unknown.</summary>
    public long? MemoryFailures()
    {
        try
        {
            return long.Parse(File.ReadAllText(Path.Combine(PathOf("memory"), "memory.failcnt")).Trim(), CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>The processes in these cgroups and all below them.</summary>
    public HashSet<int> Processes()
    {
        var pids = new HashSet<int>();
        foreach (var controller in Controllers)
        {
            var folder = PathOf(controller);
            if (!Directory.Exists(folder))
            {
                continue;
            }

            try
            {
                foreach (var file in Directory.EnumerateFiles(folder, "cgroup.procs", SearchOption.AllDirectories))
                {
                    foreach (var line in File.ReadLines(file))
                    {
                        if (int.TryParse(line, NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
                        {
                            pids.Add(pid);
                        }
                    }
                }
            }
            catch (IOException)
            {
                // Removed while being read: nothing left there.
            }
        }

        return pids;
    }

    /// <summary>SIGKILLs every process in these cgroups and below; returns how many it signalled.</summary>
    /// <remarks>
    /// <para>
    /// A pid read from <c>cgroup.procs</c> may belong to someone else by the time it is signalled:
    /// the process exits and the pid is reused (pid_max can be as low as 32768, and a fork bomb
    /// churns through pids). So each pid is first pinned with a pidfd, which refers to one process
    /// for good, and signalled only if it is still listed afterwards: then the pidfd is either that
    /// listed process or one that has exited, and a signal to an exited process goes nowhere.
    /// Kernels without pidfds (before 5.3) fall back to kill(2) with that small race.
    /// </para>
    /// <para>
    /// A process forking meanwhile can add a child after the listing; callers repeat until the
    /// cgroups are empty, and the pids limit bounds how many can appear.
    /// </para>
    /// </remarks>
    public int KillAll()
    {
        var listed = Processes();
        var pinned = new Dictionary<int, int>();
        try
        {
            foreach (var pid in listed)
            {
                var pidfd = Posix.OpenPidfd(pid);
                if (pidfd == Posix.Unsupported)
                {
                    Posix.Kill(pid);
                }
                else if (pidfd >= 0)
                {
                    pinned[pid] = pidfd;
                }
            }

            if (pinned.Count > 0)
            {
                var stillListed = Processes();
                foreach (var (pid, pidfd) in pinned)
                {
                    if (stillListed.Contains(pid))
                    {
                        Posix.KillPidfd(pidfd);
                    }
                }
            }
        }
        finally
        {
            foreach (var pidfd in pinned.Values)
            {
                Posix.Close(pidfd);
            }
        }

        return listed.Count;
    }

    /// <summary>Kills everything in these cgroups and removes them, deepest first. Gone already is fine.</summary>
    public async Task RemoveAsync(TimeProvider time, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var pause = TimeSpan.FromMilliseconds(1);
        while (true)
        {
            KillAll();
            if (TryRemoveAll())
            {
                return;
            }

            if (time.GetElapsedTime(started) > RemoveDeadline)
            {
                throw new WorkspaceException(
                    $"Could not remove cgroup '{RelativePath}': processes {string.Join(", ", Processes())} are still in it after being killed");
            }

            // Right after a command exits its cgroup is usually busy for a millisecond or two
            // (the last processes are still being released): retry soon, then back off.
            await Task.Delay(pause, time, cancellationToken).ConfigureAwait(false);
            pause = TimeSpan.FromMilliseconds(Math.Min(pause.TotalMilliseconds * 2, 20));
        }
    }

    private bool TryRemoveAll()
    {
        var removed = true;
        foreach (var controller in Controllers)
        {
            var folder = PathOf(controller);
            if (!Directory.Exists(folder))
            {
                continue;
            }

            // rmdir of a cgroup succeeds with its control files present; its child cgroups go first.
            var folders = Directory.EnumerateDirectories(folder, "*", SearchOption.AllDirectories)
                .OrderByDescending(f => f.Length)
                .Append(folder);
            foreach (var f in folders)
            {
                removed &= TryRemoveFolder(f);
            }
        }

        return removed;
    }

    /// <summary>Removes <paramref name="parent"/> under every controller where no cgroup is left in it; one in use, or not ours to remove, stays.</summary>
    public static void RemoveIfEmpty(string root, string parent)
    {
        foreach (var controller in Controllers)
        {
            var folder = Path.Combine(root, controller, parent);
            try
            {
                if (Directory.Exists(folder) && !Directory.EnumerateDirectories(folder).Any())
                {
                    TryRemoveFolder(folder);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Gone meanwhile, or not ours to look into.
            }
        }
    }

    private static bool TryRemoveFolder(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: false);
            return true;
        }
        catch (DirectoryNotFoundException)
        {
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // EBUSY: a process is still in it (or just exiting), or a cgroup appeared in it
            // meanwhile; or it is not ours to remove.
            return false;
        }
    }

    private void Write(string controller, string file, string value) =>
        File.WriteAllText(Path.Combine(PathOf(controller), file), value);
}
