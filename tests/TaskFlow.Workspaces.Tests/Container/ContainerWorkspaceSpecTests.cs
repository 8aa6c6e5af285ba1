using TaskFlow.Workspaces.Container;

namespace TaskFlow.Workspaces.Tests.Container;

public sealed class ContainerWorkspaceSpecTests
{
    private static WorkspaceInfo Workspace(WorkspaceLimits limits, string? image = null) =>
        new("abc123", IsolationMode.Container, "/srv/workspaces/abc123", limits, new WorkspaceOwner(null, "node-1"),
            DateTimeOffset.Parse("2030-01-02T03:04:05Z"), DateTimeOffset.Parse("2030-01-02T05:04:05+02:00"), image);

    [Fact]
    public void Build_NetworkRequestedButNotAllowed_NetworkNone()
    {
        var spec = ContainerWorkspaceSpec.Build(Workspace(new WorkspaceLimits { Network = true }), new ContainerWorkspaceOptions(), IsolationMode.Container, 4);

        Assert.Equal("none", spec.HostConfig.NetworkMode);
    }

    [Fact]
    public void Build_NetworkRequestedAndAllowed_Bridge()
    {
        var allowed = new ContainerWorkspaceOptions { AllowNetwork = true };

        Assert.Equal("bridge", ContainerWorkspaceSpec.Build(Workspace(new WorkspaceLimits { Network = true }), allowed, IsolationMode.Container, 4).HostConfig.NetworkMode);
        Assert.Equal("none", ContainerWorkspaceSpec.Build(Workspace(new WorkspaceLimits()), allowed, IsolationMode.Container, 4).HostConfig.NetworkMode);
    }

    [Fact]
    public void Build_Limits_MappedToTheEngine()
    {
        var limits = new WorkspaceLimits { MemoryBytes = 100_000_000, Cpus = 1.5, Pids = 99, DiskBytes = 12345 };

        var spec = ContainerWorkspaceSpec.Build(Workspace(limits), new ContainerWorkspaceOptions { Runtime = "runsc" }, IsolationMode.Vm, 4);

        var host = spec.HostConfig;
        Assert.Equal("taskflow-ws-abc123", spec.Name);
        Assert.Equal("local/busybox:latest", spec.Image);
        Assert.Equal(100_000_000, host.Memory);
        Assert.Equal(100_000_000, host.MemorySwap);
        Assert.Equal(1_500_000_000, host.NanoCPUs);
        Assert.Equal(99, host.PidsLimit);
        var fsize = Assert.Single(host.Ulimits);
        Assert.Equal(("fsize", 12345L, 12345L), (fsize.Name, fsize.Soft, fsize.Hard));
        Assert.Equal("runsc", host.Runtime);
        Assert.Equal("vm", spec.Labels["taskflow.isolation"]);
        Assert.Equal("", spec.Labels["taskflow.instance"]);
        Assert.Equal("node-1", spec.Labels["taskflow.node"]);
        Assert.Equal("2030-01-02T03:04:05Z", spec.Labels["taskflow.expires"]);
        var mount = Assert.Single(host.Mounts);
        Assert.Equal(("bind", "/srv/workspaces/abc123", "/workspace", false), (mount.Type, mount.Source, mount.Target, mount.ReadOnly));
    }

    [Fact]
    public void Build_MoreCpusThanTheHost_GetsTheHost()
    {
        var spec = ContainerWorkspaceSpec.Build(Workspace(new WorkspaceLimits { Cpus = 8 }), new ContainerWorkspaceOptions(), IsolationMode.Container, 2);

        Assert.Equal(2_000_000_000, spec.HostConfig.NanoCPUs);
    }

    [Fact]
    public void Build_WorkspaceImage_OverridesDefault()
    {
        var spec = ContainerWorkspaceSpec.Build(Workspace(new WorkspaceLimits(), "local/debian:bookworm-minbase"), new ContainerWorkspaceOptions(), IsolationMode.Container, 2);

        Assert.Equal("local/debian:bookworm-minbase", spec.Image);
    }

    [Fact]
    public void LimitProblems_Unenforceable_ListsEach()
    {
        var problems = ContainerWorkspaceSpec.LimitProblems(new WorkspaceLimits { MemoryBytes = 1024, Cpus = 0, Pids = 0, DiskBytes = 0 });

        Assert.Equal(4, problems.Count);
        Assert.Empty(ContainerWorkspaceSpec.LimitProblems(new WorkspaceLimits()));
    }
}
