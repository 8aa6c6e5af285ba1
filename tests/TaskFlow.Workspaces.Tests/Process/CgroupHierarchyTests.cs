using TaskFlow.Workspaces.Process;

namespace TaskFlow.Workspaces.Tests.Process;

/// <summary>
/// Finding the host's cgroup interface. The v1 and v2 shapes are fake file trees (this machine
/// has cgroup v1 with every controller bound to it); the last test reads a real cgroup2 mount.
/// </summary>
public sealed class CgroupHierarchyTests
{
    [Fact]
    public void Detect_FolderWithCgroupControllers_IsV2()
    {
        using var tree = FakeCgroupTree.V2();

        var hierarchy = CgroupHierarchy.Detect(tree.Root, out var problem);

        Assert.Null(problem);
        Assert.Equal(CgroupVersion.V2, hierarchy?.Version);
        Assert.Equal([Path.Combine(tree.Root, "taskflow", "ws-1")], hierarchy!.FoldersOf("taskflow/ws-1"));
    }

    [Fact]
    public void Detect_ControllerFolders_IsV1()
    {
        using var tree = FakeCgroupTree.V1();

        var hierarchy = CgroupHierarchy.Detect(tree.Root, out var problem);

        Assert.Null(problem);
        Assert.Equal(CgroupVersion.V1, hierarchy?.Version);
        Assert.Equal(
            ["memory", "pids", "cpu"],
            hierarchy!.FoldersOf("taskflow/ws-1").Select(f => Path.GetRelativePath(tree.Root, f).Split('/')[0]));
    }

    [Fact]
    public void Detect_PlainFolder_SaysNeitherVersionIsThere()
    {
        var folder = Directory.CreateTempSubdirectory("taskflow-not-cgroup-").FullName;
        try
        {
            Assert.Null(CgroupHierarchy.Detect(folder, out var problem));
            Assert.Contains("no cgroup hierarchy is mounted at " + folder, problem);
            Assert.Contains("cgroup v2", problem);
            Assert.Contains("cgroup v1", problem);
        }
        finally
        {
            Directory.Delete(folder);
        }
    }

    [Fact]
    public void Problem_V2WithoutTheControllers_NamesTheMissingOnes()
    {
        // What a hybrid host's cgroup2 mount looks like: its controllers are bound to v1.
        using var tree = FakeCgroupTree.V2(controllers: "hugetlb");

        var problem = CgroupHierarchy.Detect(tree.Root, out _)!.Problem("taskflow");

        Assert.NotNull(problem);
        Assert.Contains("does not offer the memory, pids, cpu controller(s) (it offers: hugetlb)", problem);
        Assert.False(Directory.Exists(Path.Combine(tree.Root, "taskflow")), "nothing is created when the controllers are missing");
    }

    [Fact]
    public void Problem_V2WithTheControllers_ProbesAndLeavesNoProbe()
    {
        using var tree = FakeCgroupTree.V2();

        var problem = CgroupHierarchy.Detect(tree.Root, out _)!.Problem("taskflow");

        Assert.Null(problem);
        Assert.Equal("+memory +pids +cpu", tree.Read("", "cgroup.subtree_control"));
        Assert.Empty(Directory.GetDirectories(Path.Combine(tree.Root, "taskflow")));
    }

    [Fact]
    public void EnableForChildren_SomeEnabledAlready_WritesOnlyTheOthers()
    {
        using var tree = FakeCgroupTree.V2();
        tree.Write("", "cgroup.subtree_control", "cpu memory io\n");

        CgroupHierarchy.Detect(tree.Root, out _)!.EnableForChildren("");

        Assert.Equal("+pids", tree.Read("", "cgroup.subtree_control"));
    }

    [Fact]
    public void Problem_RealCgroup2Mount_NamesExactlyTheControllersTheKernelDoesNotOffer()
    {
        // The real kernel: on this machine (cgroup v1, with an empty cgroup2 tree beside it)
        // memory, pids and cpu are bound to v1, so the v2 tree offers none of them; on a
        // v2-only host it offers all three and the problem is null.
        using var mount = RealCgroup2.Find();
        var offered = File.ReadAllText(Path.Combine(mount.Root, "cgroup.controllers")).Split(' ', '\n', StringSplitOptions.RemoveEmptyEntries);
        var missing = CgroupHierarchy.Controllers.Where(c => !offered.Contains(c)).ToList();

        var hierarchy = CgroupHierarchy.Detect(mount.Root, out var detectProblem);
        var problem = hierarchy?.Problem($"taskflow-test-{Guid.NewGuid():N}"[..26]);

        Assert.Null(detectProblem);
        Assert.Equal(CgroupVersion.V2, hierarchy?.Version);
        if (missing.Count > 0)
        {
            Assert.Contains($"does not offer the {string.Join(", ", missing)} controller(s)", problem);
        }
        else
        {
            Assert.Null(problem);
        }
    }
}
