using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TaskFlow.Workspaces.Container;
using TaskFlow.Workspaces.Registry;
using TaskFlow.Workspaces.Tests.Container;

namespace TaskFlow.Workspaces.Tests.Manager;

/// <summary>The warm pool over real containers: taken by matching requests, refilled, removed at shutdown, reclaimed after a restart.</summary>
public sealed class WarmPoolTests : IClassFixture<DockerEngineFixture>, IAsyncLifetime
{
    private static readonly WorkspaceLimits Small = new() { MemoryBytes = 128L << 20, Cpus = 1, Pids = 64, DiskBytes = 8L << 20 };

    private readonly string _root = Directory.CreateTempSubdirectory("taskflow-warm-").FullName;
    private readonly List<WorkspaceManager> _managers = [];
    private readonly ContainerWorkspaceProvider _provider;

    public WarmPoolTests(DockerEngineFixture engine)
    {
        // A scope of its own: these tests see (and reclaim) only their own containers.
        _provider = DockerEngineFixture.CreateProvider(new ContainerWorkspaceOptions { DockerHost = engine.Host, Scope = "warm-test-" + Guid.NewGuid().ToString("N")[..8] });
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var manager in _managers)
        {
            await manager.DisposeAsync();
        }

        foreach (var id in await _provider.ListOwnedAsync(CancellationToken.None))
        {
            await _provider.DestroyAsync(id, CancellationToken.None);
        }

        _provider.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task CreateAsync_DefaultContainerRequest_TakesAWarmContainer_AndThePoolRefillsWhenOneGoesAway()
    {
        var manager = Create();
        manager.FillWarmPool();
        await WaitAsync(() => manager.WarmCount == 2);
        var warm = (await _provider.ListOwnedAsync(CancellationToken.None)).ToHashSet();
        Assert.Equal(2, warm.Count);
        Assert.Empty(manager.List());

        var taken = await manager.CreateAsync(new WorkspaceRequest(Owner: new WorkspaceOwner("instance-7", "node-b")));
        var ran = await manager.ExecAsync(taken.Id, new ExecRequest(["sh", "-c", "echo warm > made.txt; cat made.txt"]));
        var custom = await manager.CreateAsync(new WorkspaceRequest(Limits: Small with { Pids = 32 }));

        Assert.Contains(taken.Id, warm);
        Assert.Equal(("instance-7", "node-b"), (taken.Owner.InstanceId, taken.Owner.NodeId));
        Assert.Equal("warm\n", ran.Stdout);
        Assert.DoesNotContain(custom.Id, warm);
        Assert.Equal(2, manager.List().Count);

        // The pool makes up for what was taken once a container workspace goes away (not while
        // the taken one starts its command).
        Assert.Equal(1, manager.WarmCount);
        await manager.DestroyAsync(taken.Id);
        await WaitAsync(() => manager.WarmCount == 2);
        Assert.Equal(3, (await _provider.ListOwnedAsync(CancellationToken.None)).Count);
    }

    [Fact]
    public async Task WarmPoolImages_KeepAPoolPerImage_TakenByRequestsNamingIt()
    {
        var manager = Create(o => (o.WarmPoolSize, o.WarmPoolImages) = (1, ["local/busybox:latest"]));
        manager.FillWarmPool();
        await WaitAsync(() => manager.WarmCount == 2);
        var warm = (await _provider.ListOwnedAsync(CancellationToken.None)).ToHashSet();

        var named = await manager.CreateAsync(new WorkspaceRequest(Image: "local/busybox:latest"));
        var unnamed = await manager.CreateAsync(new WorkspaceRequest());

        Assert.Contains(named.Id, warm);
        Assert.Contains(unnamed.Id, warm);
        Assert.Equal("local/busybox:latest", named.Image);
        Assert.Null(unnamed.Image);
    }

    [Fact]
    public async Task Dispose_RemovesTheWarmContainersNobodyTook_AndKeepsTheTakenOne()
    {
        var manager = Create();
        manager.FillWarmPool();
        await WaitAsync(() => manager.WarmCount == 2);
        var taken = await manager.CreateAsync(new WorkspaceRequest());
        var warm = (await _provider.ListOwnedAsync(CancellationToken.None)).Where(id => id != taken.Id).ToList();
        Assert.Single(warm);

        await manager.DisposeAsync();

        // The taken one is a workspace: it outlives the process. The warm one is gone, folder too.
        Assert.Equal([taken.Id], await _provider.ListOwnedAsync(CancellationToken.None));
        Assert.True(Directory.Exists(Path.Combine(_root, taken.Id)));
        Assert.All(warm, id => Assert.False(Directory.Exists(Path.Combine(_root, id))));
    }

    [Fact]
    public async Task Dispose_RightAfterAFillStarted_LeavesNoContainer()
    {
        // The fill is stopped and waited for before the drain: a container still being created
        // when the dispose begins is either never made or drained, never left running.
        var manager = Create();
        manager.FillWarmPool();

        await manager.DisposeAsync();

        Assert.Empty(await _provider.ListOwnedAsync(CancellationToken.None));
        Assert.Empty(Directory.EnumerateDirectories(_root));
    }

    [Fact]
    public async Task Dispose_WithABackgroundDestroyUnderWay_WaitsForIt_AndNoRefillOutlivesIt()
    {
        // The path that outlived the dispose: a workspace destroyed in the background (what an
        // exec node does) goes after the dispose began, and its reclaim asks for a refill.
        var manager = Create();
        manager.FillWarmPool();
        await WaitAsync(() => manager.WarmCount == 2);
        var taken = await manager.CreateAsync(new WorkspaceRequest());

        manager.DestroyInBackground(taken.Id);
        await manager.DisposeAsync();

        Assert.Empty(await _provider.ListOwnedAsync(CancellationToken.None));
        Assert.Empty(Directory.EnumerateDirectories(_root));
        manager.FillWarmPool();
        Assert.Equal(0, manager.WarmCount);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => manager.CleanupAsync(TaskFlow.Workspaces.Cleanup.CleanupPass.Scheduled));
    }

    /// <summary>What a process that crashed leaves: warm containers and their records. The next start on the root removes them.</summary>
    [Fact]
    public async Task Start_ReclaimsTheWarmContainersOfAProcessThatCrashed()
    {
        var left = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            var id = WorkspaceRegistry.NewId();
            var record = new WorkspaceRecord(id, IsolationMode.Container, Small, new WorkspaceOwner(), DateTimeOffset.UtcNow, DateTimeOffset.MaxValue, new WorkspaceOptions().Cleanup, null, WorkspaceState.Warm);
            var files = Path.Combine(_root, id, WorkspaceRegistry.FilesFolder);
            Directory.CreateDirectory(files);
            await File.WriteAllTextAsync(Path.Combine(_root, id, WorkspaceRegistry.RecordFile), System.Text.Json.JsonSerializer.Serialize(record, WorkspaceRecord.Json));
            await _provider.CreateAsync(record.ToInfo(files), CancellationToken.None);
            left.Add(id);
        }

        Assert.Equal(left.Order(), (await _provider.ListOwnedAsync(CancellationToken.None)).Order());

        var after = Create();
        await after.EnsureLoadedAsync();

        Assert.Equal(0, after.WarmCount);
        Assert.Empty(await _provider.ListOwnedAsync(CancellationToken.None));
        Assert.All(left, id => Assert.False(Directory.Exists(Path.Combine(_root, id))));
    }

    private WorkspaceManager Create(Action<WorkspaceOptions>? configure = null)
    {
        var options = new WorkspaceOptions { DefaultIsolation = IsolationMode.Container, Limits = Small, WarmPoolSize = 2 };
        configure?.Invoke(options);
        var manager = new WorkspaceManager(Options.Create(options), new WorkspaceRoot(_root), [_provider], NullLogger<WorkspaceManager>.Instance, TimeProvider.System);
        _managers.Add(manager);
        return manager;
    }

    private static async Task WaitAsync(Func<bool> condition)
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (!condition())
        {
            await Task.Delay(50, guard.Token);
        }
    }
}
