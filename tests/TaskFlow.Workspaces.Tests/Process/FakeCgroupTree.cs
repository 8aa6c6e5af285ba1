namespace TaskFlow.Workspaces.Tests.Process;

/// <summary>
/// A temp folder shaped like a cgroup v2 hierarchy (or v1 controller folders): plain files where
/// the kernel has control files. Used where the real interface cannot run on the test machine;
/// it checks what TaskFlow writes and reads, not what the kernel makes of it.
/// </summary>
internal sealed class FakeCgroupTree : IDisposable
{
    public string Root { get; } = Directory.CreateTempSubdirectory("taskflow-fake-cgroup-").FullName;

    public static FakeCgroupTree V2(string controllers = "cpuset cpu io memory hugetlb pids rdma misc")
    {
        var tree = new FakeCgroupTree();
        tree.Write("", "cgroup.controllers", controllers);
        tree.Write("", "cgroup.subtree_control", "");
        tree.Write("", "cgroup.procs", "1\n");
        return tree;
    }

    public static FakeCgroupTree V1()
    {
        var tree = new FakeCgroupTree();
        foreach (var controller in new[] { "memory", "pids", "cpu" })
        {
            tree.Write(controller, "cgroup.procs", "1\n");
        }

        return tree;
    }

    public string Read(string relativePath, string file) => File.ReadAllText(Path.Combine(Root, relativePath, file)).Trim();

    public void Write(string relativePath, string file, string content)
    {
        Directory.CreateDirectory(Path.Combine(Root, relativePath));
        File.WriteAllText(Path.Combine(Root, relativePath, file), content);
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
