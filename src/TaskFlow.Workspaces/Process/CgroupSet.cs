using System.Globalization;

namespace TaskFlow.Workspaces.Process;

/// <summary>
/// One cgroup of the sandbox's <see cref="CgroupHierarchy"/>: in cgroup v1, one in each of the
/// <c>memory</c>, <c>pids</c> and <c>cpu</c> hierarchies at the same relative path
/// (<c>{root}/{memory,pids,cpu}/{path}</c>); in cgroup v2, the one folder <c>{root}/{path}</c>. A
/// process written to every <see cref="ProcsFiles"/> entry is limited by all three controllers,
/// and so is everything it starts.
/// </summary>
internal sealed class CgroupSet(CgroupHierarchy hierarchy, string relativePath)
{
    /// <summary>The controllers that hold a workspace's limits.</summary>
    public static IReadOnlyList<string> Controllers => CgroupHierarchy.Controllers;

    // A cgroup that still holds processes cannot be removed; they are killed and waited for at
    // most this long (processes in uninterruptible sleep take a moment to die).
    private static readonly TimeSpan RemoveDeadline = TimeSpan.FromSeconds(5);

    private const long CpuPeriodMicroseconds = 100_000;

    public CgroupHierarchy Hierarchy { get; } = hierarchy;

    public string RelativePath { get; } = relativePath;

    public string PathOf(string controller) => Hierarchy.PathOf(controller, RelativePath);

    public IEnumerable<string> Folders => Hierarchy.FoldersOf(RelativePath);

    public IEnumerable<string> ProcsFiles => Folders.Select(f => Path.Combine(f, "cgroup.procs"));

    public bool Exists => Folders.All(Directory.Exists);

    public CgroupSet Child(string name) => new(Hierarchy, Path.Combine(RelativePath, name));

    /// <summary>Makes the cgroups (and their parents) and sets the workspace's limits. Calling it again resets the limits.</summary>
    /// <param name="extraPids">Processes the sandbox itself needs besides the workspace's own (bubblewrap's).</param>
    public void Create(WorkspaceLimits limits, int extraPids)
    {
        CreateFolders();
        var memory = limits.MemoryBytes.ToString(CultureInfo.InvariantCulture);
        var pids = (limits.Pids + extraPids).ToString(CultureInfo.InvariantCulture);
        var quota = Math.Max(1_000, (long)Math.Round(limits.Cpus * CpuPeriodMicroseconds)).ToString(CultureInfo.InvariantCulture);
        var period = CpuPeriodMicroseconds.ToString(CultureInfo.InvariantCulture);
        if (Hierarchy.Version == CgroupVersion.V2)
        {
            // Every command runs in a child cgroup, which then has memory.events of its own (the
            // OOM kills are the command's); the limits here bind the workspace as a whole.
            Hierarchy.EnableForChildren(RelativePath);
            Write("memory", "memory.max", memory);

            // Swap is limited apart from memory in v2; the file exists only when the kernel accounts swap.
            var swap = Path.Combine(PathOf("memory"), "memory.swap.max");
            if (File.Exists(swap))
            {
                File.WriteAllText(swap, "0");
            }

            Write("pids", "pids.max", pids);
            Write("cpu", "cpu.max", $"{quota} {period}");
            return;
        }

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

        Write("pids", "pids.max", pids);
        Write("cpu", "cpu.cfs_period_us", period);
        Write("cpu", "cpu.cfs_quota_us", quota);
    }

    /// <summary>Makes the cgroup's folders; in cgroup v2 first enables the controllers on the way down to it.</summary>
    public void CreateFolders()
    {
        if (Hierarchy.Version == CgroupVersion.V2)
        {
            var path = "";
            foreach (var name in RelativePath.Split('/', StringSplitOptions.RemoveEmptyEntries))
            {
                Hierarchy.EnableForChildren(path);
                path = Path.Combine(path, name);
                Directory.CreateDirectory(Path.Combine(Hierarchy.Root, path));
            }

            return;
        }

        foreach (var folder in Folders)
        {
            Directory.CreateDirectory(folder);
        }
    }

    /// <summary>Lets <paramref name="user"/> move its own processes into these cgroups (and nothing else: the limits stay root's).</summary>
    public void GiveProcsFiles(int user, int group)
    {
        foreach (var procs in ProcsFiles)
        {
            Posix.Chown(procs, user, group);
        }
    }

    /// <summary>
    /// How many processes the OOM killer has killed in this memory cgroup, or null when the kernel
    /// does not count them (v1 before 4.13). In cgroup v1 the count belongs to the victim's own
    /// cgroup, not its parents; in v2 <c>memory.events</c> counts this cgroup and those below it.
    /// </summary>
    public long? OomKills() => Hierarchy.Version == CgroupVersion.V2
        ? CgroupHierarchy.ReadKey(Path.Combine(PathOf("memory"), "memory.events"), "oom_kill")
        : CgroupHierarchy.ReadKey(Path.Combine(PathOf("memory"), "memory.oom_control"), "oom_kill");

    /// <summary>How often memory use hit the limit (reclaim or OOM), or null when unknown.</summary>
    public long? MemoryFailures()
    {
        if (Hierarchy.Version == CgroupVersion.V2)
        {
            return CgroupHierarchy.ReadKey(Path.Combine(PathOf("memory"), "memory.events"), "max");
        }

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
        foreach (var folder in Folders)
        {
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
        var kill = Path.Combine(PathOf("pids"), "cgroup.kill");
        if (Hierarchy.Version == CgroupVersion.V2 && listed.Count > 0 && File.Exists(kill))
        {
            // Linux 5.14 and later kill a whole v2 subtree at once, forking processes included.
            try
            {
                File.WriteAllText(kill, "1");
                return listed.Count;
            }
            catch (IOException)
            {
                // Removed meanwhile, or refused: the pidfd sweep below still works.
            }
        }

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
        foreach (var folder in Folders)
        {
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

    internal static bool TryRemoveFolder(string folder)
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
