using TaskFlow.Workspaces.Process;

namespace TaskFlow.Workspaces.Tests.Process;

/// <summary>
/// The cgroup v2 side of <see cref="CgroupSet"/> (the v1 side runs for real in the provider and
/// sandbox tests). The limits could not be tested against the kernel here: this machine's memory,
/// pids and cpu controllers are bound to cgroup v1, so its cgroup2 tree has none of them. They are
/// checked against a fake file tree shaped like the kernel's documented interface instead. Placing,
/// killing and removing processes needs no controller and runs on the real cgroup2 tree.
/// </summary>
public sealed class CgroupSetTests
{
    [Fact]
    public void Create_V2_EnablesTheControllersDownToTheWorkspace_AndWritesItsLimits()
    {
        using var tree = FakeCgroupTree.V2();
        tree.Write("taskflow/ws-1", "memory.swap.max", "max");
        var cgroups = new CgroupSet(CgroupHierarchy.Detect(tree.Root, out _)!, "taskflow/ws-1");

        cgroups.Create(new WorkspaceLimits { MemoryBytes = 96L * 1024 * 1024, Cpus = 1.5, Pids = 40 }, extraPids: 2);

        // The root and the parent pass the controllers down; the workspace passes them to each command's cgroup.
        Assert.Equal("+memory +pids +cpu", tree.Read("", "cgroup.subtree_control"));
        Assert.Equal("+memory +pids +cpu", tree.Read("taskflow", "cgroup.subtree_control"));
        Assert.Equal("+memory +pids +cpu", tree.Read("taskflow/ws-1", "cgroup.subtree_control"));
        Assert.Equal((96L * 1024 * 1024).ToString(), tree.Read("taskflow/ws-1", "memory.max"));
        Assert.Equal("0", tree.Read("taskflow/ws-1", "memory.swap.max"));
        Assert.Equal("42", tree.Read("taskflow/ws-1", "pids.max"));
        Assert.Equal("150000 100000", tree.Read("taskflow/ws-1", "cpu.max"));
        Assert.Equal([Path.Combine(tree.Root, "taskflow", "ws-1", "cgroup.procs")], cgroups.ProcsFiles);
    }

    [Fact]
    public void Create_V2WithoutSwapAccounting_LeavesSwapAlone()
    {
        using var tree = FakeCgroupTree.V2();
        var cgroups = new CgroupSet(CgroupHierarchy.Detect(tree.Root, out _)!, "taskflow/ws-1");

        cgroups.Create(new WorkspaceLimits(), extraPids: 0);

        Assert.False(File.Exists(Path.Combine(tree.Root, "taskflow", "ws-1", "memory.swap.max")));
        Assert.Equal(new WorkspaceLimits().MemoryBytes.ToString(), tree.Read("taskflow/ws-1", "memory.max"));
    }

    [Fact]
    public void OomKillsAndMemoryFailures_V2_ReadMemoryEvents()
    {
        using var tree = FakeCgroupTree.V2();
        tree.Write("taskflow/ws-1/exec-1", "memory.events", "low 0\nhigh 0\nmax 7\noom 2\noom_kill 1\noom_group_kill 0\n");
        var command = new CgroupSet(CgroupHierarchy.Detect(tree.Root, out _)!, "taskflow/ws-1/exec-1");
        var untouched = new CgroupSet(command.Hierarchy, "taskflow/ws-2");

        Assert.Equal(1, command.OomKills());
        Assert.Equal(7, command.MemoryFailures());
        Assert.Null(untouched.OomKills());
    }

    [Fact]
    public async Task RemoveAsync_RealCgroup2WithARunningProcess_KillsItAndRemovesTheCgroup()
    {
        using var mount = RealCgroup2.Find();
        var hierarchy = CgroupHierarchy.Detect(mount.Root, out var problem) ?? throw new InvalidOperationException(problem);
        var cgroups = new CgroupSet(hierarchy, $"taskflow-test-{Guid.NewGuid():N}"[..26]);

        // Made by hand: CreateFolders would enable controllers this tree may not offer.
        Directory.CreateDirectory(cgroups.Folders.Single());
        using var sleeper = System.Diagnostics.Process.Start("sleep", "600");
        try
        {
            await File.WriteAllTextAsync(cgroups.ProcsFiles.Single(), sleeper.Id.ToString());
            Assert.Equal([sleeper.Id], cgroups.Processes());

            await cgroups.RemoveAsync(TimeProvider.System, CancellationToken.None);

            Assert.True(sleeper.WaitForExit(TimeSpan.FromSeconds(10)), "the process in the cgroup was not killed");
            Assert.False(Directory.Exists(cgroups.Folders.Single()));
        }
        finally
        {
            if (!sleeper.HasExited)
            {
                sleeper.Kill();
            }

            CgroupSet.TryRemoveFolder(cgroups.Folders.Single());
        }
    }
}
