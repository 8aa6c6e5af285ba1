using System.Diagnostics;
using System.Globalization;

namespace TaskFlow.Bench.Fleet;

/// <summary>
/// Processes below this one, read from <c>/proc</c> (Linux): the fleet's servers are children of
/// the bench (the router and the direct clients start them), and some start their own children.
/// </summary>
internal static class ProcessTree
{
    /// <summary>Every live descendant of <paramref name="root"/>, with its parent.</summary>
    public static IReadOnlyList<(int Pid, int Parent)> Descendants(int root)
    {
        var parents = new Dictionary<int, int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && ParentOf(pid) is { } parent)
            {
                parents[pid] = parent;
            }
        }

        var result = new List<(int, int)>();
        var queue = new Queue<int>([root]);
        while (queue.TryDequeue(out var current))
        {
            foreach (var (pid, parent) in parents)
            {
                if (parent == current)
                {
                    result.Add((pid, parent));
                    queue.Enqueue(pid);
                }
            }
        }

        return result;
    }

    /// <summary>The direct children of this process whose command line contains <paramref name="marker"/>.</summary>
    public static IReadOnlyList<int> ChildrenMatching(string marker)
    {
        var self = Environment.ProcessId;
        return [.. Descendants(self).Where(p => p.Parent == self && CommandLine(p.Pid).Contains(marker, StringComparison.Ordinal)).Select(p => p.Pid)];
    }

    /// <summary>Resident memory of a process and all its descendants, in bytes.</summary>
    public static long TreeRss(int pid) => Rss(pid) + Descendants(pid).Sum(p => Rss(p.Pid));

    /// <summary>Resident memory of every descendant of this process (the fleet it started), in bytes.</summary>
    public static long ChildrenRss() => Descendants(Environment.ProcessId).Sum(p => Rss(p.Pid));

    /// <summary>Resident memory of this process (TaskFlow's router and the bench around it), in bytes.</summary>
    public static long SelfRss() => Rss(Environment.ProcessId);

    /// <summary>SIGKILL to a process and every descendant, children first listed before the parent dies.</summary>
    public static int KillTree(int pid)
    {
        // Collect the tree before killing: once the parent is gone its children are re-parented.
        var tree = Descendants(pid).Select(p => p.Pid).Prepend(pid).ToList();
        var killed = 0;
        foreach (var member in tree)
        {
            try
            {
                using var process = Process.GetProcessById(member);
                process.Kill();
                killed++;
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // Already gone.
            }
        }

        return killed;
    }

    public static string CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
        }
        catch (IOException)
        {
            return "";
        }
        catch (UnauthorizedAccessException)
        {
            return "";
        }
    }

    private static int? ParentOf(int pid)
    {
        try
        {
            // The command name (field 2) is in parentheses and may hold spaces: read after the last ')'.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[1], CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    private static long Rss(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Gone meanwhile.
        }

        return 0;
    }
}
