using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using TaskFlow.Workspaces.Cleanup;
using TaskFlow.Workspaces.Process;

namespace TaskFlow.Workspaces.Tests.Manager;

/// <summary>
/// The manager's policies over real sandboxed-process workspaces (bubblewrap and cgroups): slots,
/// limits, the disk quota, file access, cleanup modes, and reclaiming what a crash left.
/// </summary>
public sealed class WorkspaceManagerTests : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("taskflow-workspaces-").FullName;
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly List<WorkspaceManager> _managers = [];
    private readonly HashSet<WorkspaceManager> _disposed = [];
    private readonly ProcessWorkspaceProvider _provider = new(
        Options.Create(new ProcessWorkspaceOptions { CgroupParent = "taskflow-test-" + Guid.NewGuid().ToString("N")[..8] }),
        NullLogger<ProcessWorkspaceProvider>.Instance,
        TimeProvider.System);

    private static readonly WorkspaceLimits Small = new() { MemoryBytes = 256L << 20, Cpus = 1, Pids = 64, DiskBytes = 8L << 20 };

    public async Task InitializeAsync()
    {
        // Temporary folders are private (0700); the sandbox user must be able to pass through.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(_root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        }

        var problem = await _provider.CheckAvailableAsync(CancellationToken.None);
        Assert.True(problem is null, $"The process workspaces cannot run here: {problem}");
    }

    public async Task DisposeAsync()
    {
        foreach (var manager in _managers.Where(m => !_disposed.Contains(m)))
        {
            foreach (var workspace in manager.List())
            {
                await manager.DestroyAsync(workspace.Workspace.Id, CleanupMode.Immediate);
            }
        }

        foreach (var id in await _provider.ListOwnedAsync(CancellationToken.None))
        {
            await _provider.DestroyAsync(id, CancellationToken.None);
        }

        _provider.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task CreateExecDestroy_RunsInTheWorkspace_AndLeavesNothing()
    {
        var manager = Create();
        var workspace = await manager.CreateAsync(new WorkspaceRequest(Owner: new WorkspaceOwner("instance-1", "node-a")));
        await manager.WriteFileAsync(workspace.Id, "in/put.txt", Encoding.UTF8.GetBytes("from the host"));

        var result = await manager.ExecAsync(workspace.Id, new ExecRequest(["sh", "-c", "cat in/put.txt; echo made > out.txt; pwd"]));
        var written = await manager.ReadFileAsync(workspace.Id, "out.txt");
        var listed = manager.ListFiles(workspace.Id, recursive: true).Select(e => e.Path).ToList();
        var view = manager.Get(workspace.Id)!;

        Assert.True(result.Succeeded, result.FailureReason);
        Assert.Equal("from the host/workspace\n", result.Stdout);
        Assert.Equal("made\n", Encoding.UTF8.GetString(written.Content));
        Assert.Equal(["in", "in/put.txt", "out.txt"], listed);
        Assert.Equal(("instance-1", "node-a"), (view.Workspace.Owner.InstanceId, view.Workspace.Owner.NodeId));
        Assert.InRange(view.DiskBytes, 1, 100);

        Assert.True(await manager.DestroyAsync(workspace.Id));
        Assert.Null(manager.Get(workspace.Id));
        Assert.False(Directory.Exists(Path.Combine(_root, workspace.Id)));
        Assert.DoesNotContain(workspace.Id, await _provider.ListOwnedAsync(CancellationToken.None));
        Assert.False(await manager.DestroyAsync(workspace.Id));
    }

    [Fact]
    public async Task CreateAsync_AllSlotsTaken_FailFastNamesTheLimit_QueueWaitsForAFreeOne()
    {
        var failFast = Create(o => (o.MaxWorkspaces, o.WhenFull) = (1, WhenFull.FailFast));
        var first = await failFast.CreateAsync(new WorkspaceRequest());
        var refused = await Assert.ThrowsAsync<WorkspaceException>(() => failFast.CreateAsync(new WorkspaceRequest()));
        Assert.Equal("All 1 workspaces are in use (TaskFlow:Workspaces:MaxWorkspaces); destroy one or try again later.", refused.Message);
        await failFast.DestroyAsync(first.Id);
        await StopAsync(failFast);

        var queued = Create(o => (o.MaxWorkspaces, o.WhenFull, o.QueueTimeout) = (1, WhenFull.Queue, TimeSpan.FromSeconds(30)));
        var holder = await queued.CreateAsync(new WorkspaceRequest());
        var waiting = queued.CreateAsync(new WorkspaceRequest());
        await Task.Delay(200);
        Assert.False(waiting.IsCompleted, "the second workspace did not wait for a slot");

        await queued.DestroyAsync(holder.Id);
        var second = await waiting.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.NotEqual(holder.Id, second.Id);
    }

    [Fact]
    public async Task CreateAsync_LimitsAboveTheConfiguredOnes_AreRefusedWithEveryReason()
    {
        var manager = Create();

        var refused = await Assert.ThrowsAsync<WorkspaceException>(() => manager.CreateAsync(new WorkspaceRequest(Limits: Small with { MemoryBytes = 1L << 40, Pids = 0, Network = true })));

        Assert.Contains("memory 1099511627776 bytes is not between 1 and the configured 268435456", refused.Message, StringComparison.Ordinal);
        Assert.Contains("pids 0 is not between 1 and the configured 64", refused.Message, StringComparison.Ordinal);
        Assert.Contains("network is not allowed", refused.Message, StringComparison.Ordinal);
        Assert.Empty(manager.List());
        Assert.Empty(Directory.EnumerateDirectories(_root));
    }

    [Fact]
    public async Task ExecAsync_ManySmallFilesOverTheQuota_IsStoppedForTheQuota()
    {
        var manager = Create();
        var workspace = await manager.CreateAsync(new WorkspaceRequest(Limits: Small with { DiskBytes = 2L << 20 }));

        // 1 MiB files, one after another, without end: no single file reaches the per-file
        // limit; the folder's total does.
        var result = await manager.ExecAsync(workspace.Id, new ExecRequest(["sh", "-c", "i=0; while :; do head -c 1048576 /dev/zero > f$i; i=$((i+1)); done"], Timeout: TimeSpan.FromSeconds(60)));

        Assert.Equal(ExecTermination.DiskQuotaExceeded, result.Termination);
        Assert.Equal("stopped for exceeding the workspace's disk quota", result.FailureReason);
    }

    [Fact]
    public async Task WriteFileAsync_BeyondTheQuota_IsRefused_AndNothingIsWritten()
    {
        var manager = Create();
        var workspace = await manager.CreateAsync(new WorkspaceRequest(Limits: Small with { DiskBytes = 1024 }));

        var refused = await Assert.ThrowsAsync<WorkspaceException>(() => manager.WriteFileAsync(workspace.Id, "big.bin", new byte[2048]));

        Assert.Contains("would exceed the workspace's disk quota of 1024 bytes", refused.Message, StringComparison.Ordinal);
        Assert.Empty(manager.ListFiles(workspace.Id));
    }

    [Fact]
    public async Task FileAccess_PathsLeadingOutside_AreRefused_EvenThroughALinkTheSandboxMade()
    {
        var manager = Create();
        var workspace = await manager.CreateAsync(new WorkspaceRequest());
        var outside = Path.Combine(_root, "outside-secret.txt");
        await File.WriteAllTextAsync(outside, "host only");

        // Code in the sandbox can make links anywhere; following them from the host must not escape.
        var linked = await manager.ExecAsync(workspace.Id, new ExecRequest(["sh", "-c", $"ln -s {outside} escape; ln -s / root"]));
        Assert.True(linked.Succeeded, linked.FailureReason);

        await Assert.ThrowsAsync<WorkspacePathException>(() => manager.ReadFileAsync(workspace.Id, "escape"));
        await Assert.ThrowsAsync<WorkspacePathException>(() => manager.ReadFileAsync(workspace.Id, "root/etc/passwd"));
        await Assert.ThrowsAsync<WorkspacePathException>(() => manager.WriteFileAsync(workspace.Id, "root/tmp/planted", Encoding.UTF8.GetBytes("x")));
        await Assert.ThrowsAsync<WorkspacePathException>(() => manager.ReadFileAsync(workspace.Id, "../outside-secret.txt"));
        await Assert.ThrowsAsync<WorkspacePathException>(() => manager.WriteFileAsync(workspace.Id, "/etc/planted", Encoding.UTF8.GetBytes("x")));
        Assert.Throws<WorkspacePathException>(() => manager.ListFiles(workspace.Id, "root"));
        Assert.False(File.Exists("/tmp/planted"));
        Assert.Equal("host only", await File.ReadAllTextAsync(outside));
    }

    [Fact]
    public async Task DestroyAsync_Lazy_KeepsTheFilesUntilTheLazyPass_Scheduled_UntilExpiry()
    {
        var manager = Create();
        var lazy = await manager.CreateAsync(new WorkspaceRequest());
        var scheduled = await manager.CreateAsync(new WorkspaceRequest(Timeout: TimeSpan.FromMinutes(10)));
        await manager.WriteFileAsync(lazy.Id, "result.txt", Encoding.UTF8.GetBytes("kept for a while"));

        await manager.DestroyAsync(lazy.Id, CleanupMode.Lazy);
        await manager.DestroyAsync(scheduled.Id, CleanupMode.Scheduled);

        // Released: no sandbox, no slot, files still readable, commands refused.
        Assert.Equal(0, manager.ActiveCount);
        Assert.Equal("kept for a while", Encoding.UTF8.GetString((await manager.ReadFileAsync(lazy.Id, "result.txt")).Content));
        var refused = await Assert.ThrowsAsync<WorkspaceException>(() => manager.ExecAsync(lazy.Id, new ExecRequest(["true"])));
        Assert.Contains("was destroyed (lazy cleanup)", refused.Message, StringComparison.Ordinal);

        Assert.Equal(1, await manager.CleanupAsync(CleanupPass.Lazy));
        Assert.Null(manager.Get(lazy.Id));
        Assert.NotNull(manager.Get(scheduled.Id));

        Assert.Equal(0, await manager.CleanupAsync(CleanupPass.Scheduled));
        _time.Advance(TimeSpan.FromMinutes(11));
        Assert.Equal(1, await manager.CleanupAsync(CleanupPass.Scheduled));
        Assert.Empty(manager.List());
        Assert.Empty(Directory.EnumerateDirectories(_root));
    }

    [Fact]
    public async Task ScheduledCleanup_ReclaimsWorkspacesOfFinishedInstances_AndKeepsRunningOnes()
    {
        var owners = new OwnerStatus();
        var manager = Create(owners: owners);
        var finished = await manager.CreateAsync(new WorkspaceRequest(Owner: new WorkspaceOwner("done", null), Key: "instance:done"));
        var running = await manager.CreateAsync(new WorkspaceRequest(Owner: new WorkspaceOwner("busy", null), Key: "instance:busy"));
        owners.Finished.Add("done");

        Assert.Equal(1, await manager.CleanupAsync(CleanupPass.Scheduled));

        Assert.Null(manager.Get(finished.Id));
        Assert.NotNull(manager.Get(running.Id));
    }

    [Fact]
    public async Task CreateAsync_SameKey_SharesOneWorkspace()
    {
        var manager = Create();

        var first = await manager.CreateAsync(new WorkspaceRequest(Key: "instance:abc"));
        var again = await manager.CreateAsync(new WorkspaceRequest(Key: "instance:abc"));
        var other = await manager.CreateAsync(new WorkspaceRequest(Key: "instance:def"));

        Assert.Equal(first.Id, again.Id);
        Assert.NotEqual(first.Id, other.Id);
    }

    [Fact]
    public async Task NewProcess_FindsTheLastOnesWorkspaces_AndReclaimsOrphans()
    {
        var before = Create();
        var kept = await before.CreateAsync(new WorkspaceRequest());
        await before.WriteFileAsync(kept.Id, "state.txt", Encoding.UTF8.GetBytes("survives a restart"));

        // What a crash leaves: a sandbox with no record, a folder with no record.
        await _provider.CreateAsync(new WorkspaceInfo("ws-orphan0000", IsolationMode.Process, Directory.CreateTempSubdirectory("taskflow-orphan-").FullName, Small, new WorkspaceOwner(), _time.GetUtcNow(), _time.GetUtcNow().AddHours(1)), CancellationToken.None);
        Directory.CreateDirectory(Path.Combine(_root, "ws-stray000000", "files"));
        await StopAsync(before);

        var after = Create();
        await after.EnsureLoadedAsync();

        Assert.Equal([kept.Id], after.List().Select(v => v.Workspace.Id));
        Assert.Equal("survives a restart", Encoding.UTF8.GetString((await after.ReadFileAsync(kept.Id, "state.txt")).Content));
        Assert.True((await after.ExecAsync(kept.Id, new ExecRequest(["cat", "state.txt"]))).Succeeded);
        Assert.DoesNotContain("ws-orphan0000", await _provider.ListOwnedAsync(CancellationToken.None));
        Assert.False(Directory.Exists(Path.Combine(_root, "ws-stray000000")));
    }

    [Fact]
    public async Task DestroyInBackground_LeavesTheListAtOnce_AndTheSandboxIsGoneBeforeDisposeReturns()
    {
        var manager = Create(o => o.MaxWorkspaces = 1);
        var workspace = await manager.CreateAsync(new WorkspaceRequest());
        Assert.True((await manager.ExecAsync(workspace.Id, new ExecRequest(["true"]))).Succeeded);

        manager.DestroyInBackground(workspace.Id);

        Assert.Null(manager.Get(workspace.Id));
        Assert.Empty(manager.List());

        // The slot frees once the sandbox has gone: the next workspace gets it.
        var next = await manager.CreateAsync(new WorkspaceRequest()).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.DoesNotContain(workspace.Id, await _provider.ListOwnedAsync(CancellationToken.None));
        Assert.False(Directory.Exists(Path.Combine(_root, workspace.Id)));

        manager.DestroyInBackground(next.Id);
        await StopAsync(manager);
        Assert.DoesNotContain(next.Id, await _provider.ListOwnedAsync(CancellationToken.None));
        Assert.False(Directory.Exists(Path.Combine(_root, next.Id)));
    }

    [Fact]
    public async Task SecondLiveProcessOnTheSameRoot_IsRefused_AndTouchesNothing_UntilTheFirstStops()
    {
        var first = Create();
        var kept = await first.CreateAsync(new WorkspaceRequest());
        await first.WriteFileAsync(kept.Id, "state.txt", Encoding.UTF8.GetBytes("mine"));

        // Another process on the same folder: it must not take the first one's workspace for a
        // crash's leftover. (A second manager object holds its own lock, as a process would.)
        var second = Create();
        var refused = await Assert.ThrowsAsync<WorkspaceException>(() => second.EnsureLoadedAsync());
        Assert.Contains($"The workspace folder {_root} is in use by another running TaskFlow process", refused.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<WorkspaceException>(() => second.CreateAsync(new WorkspaceRequest()));
        await Assert.ThrowsAsync<WorkspaceException>(() => second.CleanupAsync(CleanupPass.Scheduled));
        Assert.Equal("mine", Encoding.UTF8.GetString((await first.ReadFileAsync(kept.Id, "state.txt")).Content));
        Assert.True((await first.ExecAsync(kept.Id, new ExecRequest(["cat", "state.txt"]))).Succeeded);

        // Once the first has stopped (or died: the kernel drops the lock), a new one takes over.
        await StopAsync(first);
        var third = Create();
        await third.EnsureLoadedAsync();
        Assert.Equal([kept.Id], third.List().Select(v => v.Workspace.Id));
    }

    private async Task StopAsync(WorkspaceManager manager)
    {
        await manager.DisposeAsync();
        _disposed.Add(manager);
    }

    private WorkspaceManager Create(Action<WorkspaceOptions>? configure = null, IWorkspaceOwnerStatus? owners = null)
    {
        var options = new WorkspaceOptions { DefaultIsolation = IsolationMode.Process, Limits = Small, QuotaCheckInterval = TimeSpan.FromMilliseconds(100) };
        configure?.Invoke(options);
        var manager = new WorkspaceManager(Options.Create(options), new WorkspaceRoot(_root), [_provider], NullLogger<WorkspaceManager>.Instance, _time, owners);
        _managers.Add(manager);
        return manager;
    }

    private sealed class OwnerStatus : IWorkspaceOwnerStatus
    {
        public HashSet<string> Finished { get; } = [];

        public Task<bool> IsFinishedAsync(string instanceId, CancellationToken cancellationToken) => Task.FromResult(Finished.Contains(instanceId));
    }
}
