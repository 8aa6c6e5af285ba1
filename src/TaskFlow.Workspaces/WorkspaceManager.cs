using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TaskFlow.Workspaces.Admission;
using TaskFlow.Workspaces.Cleanup;
using TaskFlow.Workspaces.Files;
using TaskFlow.Workspaces.Registry;
using TaskFlow.Workspaces.WarmPool;

namespace TaskFlow.Workspaces;

/// <summary>
/// Every workspace of this process, behind one entry point: creating (after admission: mode,
/// limits, a slot; from the warm pool when it can), running commands under the disk quota, file
/// access that cannot leave the workspace, destroying, cleanup passes, and reclaiming what a crash
/// left behind. Sandboxes come from the provider of the workspace's isolation mode.
/// </summary>
/// <remarks>
/// The jobs live in their own rooms: <see cref="WorkspaceRegistry"/> (records, folders),
/// <see cref="WorkspaceRootLock"/> (one process per root), <see cref="WorkspaceAdmission"/>
/// (modes, limits, slots), <see cref="WarmContainerPool"/>, <see cref="CleanupPolicy"/> and
/// <see cref="OrphanReclaimer"/>, <see cref="WorkspaceFiles"/> and <see cref="DiskQuotaWatcher"/>.
/// This class is the glue, and keeps the order of their steps.
/// </remarks>
public sealed partial class WorkspaceManager : IAsyncDisposable
{
    // How long a stopping process spends removing its unassigned warm containers.
    private static readonly TimeSpan DrainLimit = TimeSpan.FromSeconds(15);

    private readonly WorkspaceOptions _options;
    private readonly Dictionary<IsolationMode, IWorkspaceProvider> _providers;
    private readonly ILogger<WorkspaceManager> _logger;
    private readonly TimeProvider _time;
    private readonly WorkspaceRegistry _registry;
    private readonly WorkspaceRootLock _rootLock;
    private readonly WorkspaceAdmission _admission;
    private readonly WarmContainerPool _warm;
    private readonly CleanupPolicy _cleanup;
    private readonly OrphanReclaimer _orphans;
    private readonly WorkspaceFiles _files;
    private readonly SemaphoreSlim _creatingShared = new(1, 1);
    private readonly CancellationTokenSource _disposing = new();

    // Work that may create or remove sandboxes in the background (loading and orphan scans,
    // cleanup passes, background destroys): the dispose waits for it before draining the pool.
    private readonly HashSet<Task> _operations = [];
    private readonly Lock _operationsGate = new();
    private int _loaded;
    private bool _disposed;

    public WorkspaceManager(
        IOptions<WorkspaceOptions> options,
        WorkspaceRoot root,
        IEnumerable<IWorkspaceProvider> providers,
        ILogger<WorkspaceManager> logger,
        TimeProvider time,
        IWorkspaceOwnerStatus? owners = null)
    {
        _options = options.Value;
        Root = root.Path;
        _providers = providers.ToDictionary(p => p.Mode);
        _logger = logger;
        _time = time;
        _registry = new WorkspaceRegistry(Root, logger);
        _rootLock = new WorkspaceRootLock(Root);
        _admission = new WorkspaceAdmission(_options, _providers);
        _warm = new WarmContainerPool(_options, _registry, _rootLock, _providers.GetValueOrDefault(IsolationMode.Container), time, logger);
        _cleanup = new CleanupPolicy(_options, owners);
        _orphans = new OrphanReclaimer(_registry, _providers.Values, logger);
        _files = new WorkspaceFiles(_registry);
    }

    /// <summary>The folder holding every workspace.</summary>
    public string Root { get; }

    /// <summary>The configured limits: what a workspace gets when it asks for none, and the most it may ask for.</summary>
    public WorkspaceLimits DefaultLimits => _options.Limits;

    /// <summary>Active workspaces (those holding a slot).</summary>
    public int ActiveCount => _registry.All.Count(w => w.Record.State == WorkspaceState.Active);

    /// <summary>Containers in the warm pool, started and ready to be taken.</summary>
    public int WarmCount => _warm.Count;

    /// <summary>Creates a workspace, or returns the live one with the request's key. Waits for a slot or refuses, per <see cref="WorkspaceOptions.WhenFull"/>.</summary>
    /// <exception cref="WorkspaceException">A limit above the configured one, a refused network, no slot, or a sandbox that could not be built.</exception>
    public async Task<WorkspaceRecord> CreateAsync(WorkspaceRequest request, CancellationToken cancellationToken = default)
    {
        await EnsureLoadedAsync(cancellationToken);
        if (request.Key is null)
        {
            return await CreateNewAsync(request, cancellationToken);
        }

        await _creatingShared.WaitAsync(cancellationToken);
        try
        {
            var existing = _registry.All.FirstOrDefault(w => w.Record.Key == request.Key && w.Record.State == WorkspaceState.Active);
            return existing?.Record ?? await CreateNewAsync(request, cancellationToken);
        }
        finally
        {
            _creatingShared.Release();
        }
    }

    /// <summary>Runs a command in a workspace. A command that fills the workspace beyond its quota is stopped and reported so.</summary>
    public async Task<ExecResult> ExecAsync(string id, ExecRequest request, CancellationToken cancellationToken = default)
    {
        if (request.Command.Count == 0 || string.IsNullOrWhiteSpace(request.Command[0]))
        {
            throw new WorkspaceException("The command is empty: give the program to run and its arguments.");
        }

        var workspace = _registry.Active(id);
        var folder = _registry.FilesOf(id);
        var limit = workspace.Record.Limits.DiskBytes;
        ExecResult result;
        Interlocked.Increment(ref workspace.Running);
        var quota = new DiskQuotaWatcher(folder, limit, _options.QuotaCheckInterval, cancellationToken);
        try
        {
            result = await _providers[workspace.Record.Isolation].ExecAsync(workspace.Record.ToInfo(folder), request, quota.Token);
        }
        finally
        {
            Interlocked.Decrement(ref workspace.Running);
            await quota.DisposeAsync();
        }

        // Over the quota while it ran, or when it ended: either way the quota is the reason.
        if (quota.Exceeded(result.Termination))
        {
            QuotaExceeded(_logger, id, limit);
            return result with { Termination = ExecTermination.DiskQuotaExceeded };
        }

        return result;
    }

    /// <summary>Writes a file (creating its folders), refusing paths that lead outside and content that would exceed the quota.</summary>
    public Task WriteFileAsync(string id, string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default) =>
        _files.WriteAsync(id, path, content, cancellationToken);

    /// <summary>Reads up to <paramref name="maxBytes"/> of a file.</summary>
    public Task<WorkspaceFile> ReadFileAsync(string id, string path, int maxBytes = 1024 * 1024, CancellationToken cancellationToken = default) =>
        _files.ReadAsync(id, path, maxBytes, cancellationToken);

    /// <summary>The files and folders under a folder of the workspace (its top when null).</summary>
    public IReadOnlyList<WorkspaceEntry> ListFiles(string id, string? path = null, bool recursive = false) =>
        _files.List(id, path, recursive);

    /// <summary>
    /// The command line that starts a long-running program (a confined MCP server) in a
    /// <c>process</c> workspace, for the caller to start and own; destroying the workspace ends
    /// whatever of it is left. Only the sandbox offers this: a container's programs are commands.
    /// </summary>
    public IReadOnlyList<string> LaunchCommand(string id, IReadOnlyList<string> command, IReadOnlyDictionary<string, string>? environment, IReadOnlyList<string> readOnlyPaths)
    {
        var workspace = _registry.Active(id);
        return _providers[workspace.Record.Isolation] is Process.ProcessWorkspaceProvider sandbox
            ? sandbox.LaunchCommand(workspace.Record.ToInfo(_registry.FilesOf(id)), command, environment, readOnlyPaths)
            : throw new WorkspaceException($"Workspace '{id}' is a {workspace.Record.Isolation.ToString().ToLowerInvariant()} workspace; long-running programs run in process workspaces only.");
    }

    /// <summary>
    /// Starts a long-running program in a container workspace (a stdio MCP server) and returns its
    /// standard input and output; it ends when its input closes or the workspace is destroyed.
    /// </summary>
    public async Task<TaskFlow.Routing.Upstreams.ConfinedStdio> StartProgramAsync(string id, IReadOnlyList<string> command, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken)
    {
        var workspace = _registry.Active(id);
        return _providers[workspace.Record.Isolation] is Container.ContainerWorkspaceProvider containers
            ? await containers.StartProgramAsync(workspace.Record.ToInfo(_registry.FilesOf(id)), command, environment, cancellationToken)
            : throw new WorkspaceException($"Workspace '{id}' is a {workspace.Record.Isolation.ToString().ToLowerInvariant()} workspace; programs attached through the engine run in container workspaces.");
    }

    /// <summary>
    /// Destroys a workspace: its sandbox at once; its folder at once (<c>Immediate</c>), at the
    /// next lazy cleanup (<c>Lazy</c>) or when it expires (<c>Scheduled</c>).
    /// </summary>
    /// <returns>False when there is no such workspace.</returns>
    public async Task<bool> DestroyAsync(string id, CleanupMode? mode = null, CancellationToken cancellationToken = default)
    {
        await EnsureLoadedAsync(cancellationToken);
        if (!_registry.TryGet(id, out var workspace) || workspace.Record.State == WorkspaceState.Warm)
        {
            return false;
        }

        var cleanup = _cleanup.ModeFor(mode, workspace.Record.Cleanup);
        if (cleanup == CleanupMode.Immediate)
        {
            await ReclaimAsync(workspace, "destroyed", cancellationToken);
            return true;
        }

        await ReleaseAsync(workspace, cleanup, cancellationToken);
        return true;
    }

    /// <summary>
    /// <see cref="DestroyAsync"/> without waiting for the sandbox to go (removing a container takes
    /// about 130 ms): the workspace leaves the list before this returns, and its slot frees once
    /// the sandbox is gone. A failure is logged, and the scheduled cleanup reclaims what is left.
    /// </summary>
    public void DestroyInBackground(string id, CleanupMode? mode = null)
    {
        // Tracked from this call on (the method runs synchronously up to its first await), so a
        // dispose that begins later waits for it.
        _ = RunAsync();

        async Task RunAsync()
        {
            try
            {
                await TrackAsync(async () =>
                {
                    await DestroyAsync(id, mode, CancellationToken.None);
                    return 0;
                });
            }
            catch (Exception ex)
            {
                BackgroundDestroyFailed(_logger, ex, id);
            }
        }
    }

    public WorkspaceView? Get(string id) =>
        _registry.TryGet(id, out var workspace) && workspace.Record.State != WorkspaceState.Warm ? _registry.View(workspace) : null;

    public IReadOnlyList<WorkspaceView> List() =>
        [.. _registry.Visible.OrderBy(w => w.Record.CreatedAt).Select(_registry.View)];

    /// <summary>One cleanup pass (see <see cref="CleanupPolicy"/>); returns how many workspaces (and orphans) it reclaimed.</summary>
    public Task<int> CleanupAsync(CleanupPass pass, CancellationToken cancellationToken = default) => TrackAsync(async () =>
    {
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposing.Token);
        await EnsureLoadedAsync(stopping.Token);
        var now = _time.GetUtcNow();
        var reclaimed = 0;
        foreach (var workspace in _registry.All.ToList())
        {
            if (await _cleanup.ReasonToReclaimAsync(workspace, pass, now, stopping.Token) is { } reason)
            {
                await ReclaimAsync(workspace, reason, stopping.Token);
                reclaimed++;
            }
        }

        if (pass == CleanupPass.Scheduled)
        {
            reclaimed += await _orphans.ReclaimAsync(stopping.Token);
        }

        return reclaimed;
    });

    /// <summary>
    /// Reads the records a previous process left, then removes sandboxes and folders that belong
    /// to no record. Runs once, before the first use; the scheduled cleanup runs it again.
    /// </summary>
    public async Task EnsureLoadedAsync(CancellationToken cancellationToken = default)
    {
        if (Volatile.Read(ref _loaded) == 1)
        {
            return;
        }

        await TrackAsync(async () =>
        {
            using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposing.Token);
            if (await LoadAsync(stopping.Token))
            {
                await _orphans.ReclaimAsync(stopping.Token);
            }

            return 0;
        });
    }

    /// <summary>Starts filling the warm pool up to <see cref="WorkspaceOptions.WarmPoolSize"/> in the background, unless it is full or already filling.</summary>
    public void FillWarmPool() => _warm.Fill();

    /// <summary>
    /// Workspaces outlive the process on purpose (a restarted server finds them, cleanup reclaims
    /// them). What goes: the work under way is stopped and waited for, then the warm containers
    /// nobody took are removed (bounded; see <see cref="WarmContainerPool.DrainAsync"/>), and the
    /// root's lock is let go.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        Task[] running;
        lock (_operationsGate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            running = [.. _operations];
        }

        await _disposing.CancelAsync();

        // These complete when the work ends, whether it succeeded or not.
        await Task.WhenAll(running);
        await _warm.DrainAsync(DrainLimit);
        _disposing.Dispose();
        _admission.Dispose();
        _creatingShared.Dispose();
        _rootLock.Dispose();
    }

    /// <summary>Reads the records on disk once; false when another caller did.</summary>
    private async Task<bool> LoadAsync(CancellationToken cancellationToken)
    {
        await _creatingShared.WaitAsync(cancellationToken);
        try
        {
            if (_loaded == 1)
            {
                return false;
            }

            // The folder appears with the first workspace: a server that never runs one writes nothing.
            _rootLock.Take(create: false);
            foreach (var record in await _registry.ReadRecordsAsync(cancellationToken))
            {
                if (record.State == WorkspaceState.Active)
                {
                    _admission.HoldSlotOfLoaded();
                }

                // A warm container of a previous process may not match today's settings: it is
                // reclaimed (as an orphan) and the pool filled afresh.
                if (record.State != WorkspaceState.Warm)
                {
                    _registry.Track(record);
                }
            }

            Volatile.Write(ref _loaded, 1);
            return true;
        }
        finally
        {
            _creatingShared.Release();
        }
    }

    private async Task<WorkspaceRecord> CreateNewAsync(WorkspaceRequest request, CancellationToken cancellationToken)
    {
        var (isolation, provider) = await _admission.ChooseAsync(request.Isolation, cancellationToken);
        var cleanup = _cleanup.ModeForNew(request.Cleanup);
        var limits = _admission.CheckLimits(request.Limits);
        await _admission.TakeSlotAsync(cancellationToken);
        if (request.ReadOnlyMounts is not { Count: > 0 } && _warm.Serves(isolation, limits, request.Image))
        {
            // A taken container is replaced when a container workspace goes away, so that the
            // new container's start (half a second of the engine's CPU) does not compete with
            // the command about to run; an empty pool starts filling at once.
            if (await _warm.TakeAsync(request, cancellationToken) is { } taken)
            {
                Created(_logger, taken.Id, taken.Isolation, taken.Owner.InstanceId, taken.Owner.NodeId);
                return taken;
            }

            _warm.Fill();
        }

        var id = WorkspaceRegistry.NewId();
        var folder = _registry.FilesOf(id);
        var now = _time.GetUtcNow();
        var record = new WorkspaceRecord(
            id,
            isolation,
            limits,
            request.Owner ?? new WorkspaceOwner(),
            now,
            now + (request.Timeout ?? _options.WorkspaceTimeout),
            cleanup,
            request.Image,
            Key: request.Key,
            ReadOnlyMounts: request.ReadOnlyMounts is { Count: > 0 } mounts ? [.. mounts] : null);

        // Known before anything exists, so an orphan scan running meanwhile leaves it alone.
        _rootLock.Take(create: true);
        _registry.Track(record);
        try
        {
            Directory.CreateDirectory(folder);
            await _registry.SaveAsync(record, cancellationToken);
            await provider.CreateAsync(record.ToInfo(folder), cancellationToken);
        }
        catch
        {
            _registry.Forget(id);
            await provider.DestroyAsync(id, CancellationToken.None);
            _registry.DeleteFolder(id);
            _admission.ReleaseSlot();
            throw;
        }

        Created(_logger, id, isolation, record.Owner.InstanceId, record.Owner.NodeId);
        return record;
    }

    /// <summary>Removes the sandbox, keeps the folder for later cleanup, and frees the slot.</summary>
    private async Task ReleaseAsync(TrackedWorkspace workspace, CleanupMode cleanup, CancellationToken cancellationToken)
    {
        lock (workspace)
        {
            if (workspace.Record.State == WorkspaceState.Released)
            {
                return;
            }

            workspace.Record = workspace.Record with { State = WorkspaceState.Released, ReleasedAt = _time.GetUtcNow(), Cleanup = cleanup };
        }

        await _providers[workspace.Record.Isolation].DestroyAsync(workspace.Record.Id, cancellationToken);
        await _registry.SaveAsync(workspace.Record, cancellationToken);
        _admission.ReleaseSlot();
        Released(_logger, workspace.Record.Id, cleanup);
        if (workspace.Record.Isolation == IsolationMode.Container)
        {
            _warm.Fill();
        }
    }

    /// <summary>Removes the sandbox, the folder and the record.</summary>
    private async Task ReclaimAsync(TrackedWorkspace workspace, string reason, CancellationToken cancellationToken)
    {
        if (!_registry.Forget(workspace.Record.Id))
        {
            return;
        }

        var wasActive = workspace.Record.State == WorkspaceState.Active;
        if (_providers.TryGetValue(workspace.Record.Isolation, out var provider))
        {
            await provider.DestroyAsync(workspace.Record.Id, cancellationToken);
        }

        _registry.DeleteFolder(workspace.Record.Id);
        if (wasActive)
        {
            _admission.ReleaseSlot();
        }

        Reclaimed(_logger, workspace.Record.Id, reason);
        if (workspace.Record.Isolation == IsolationMode.Container)
        {
            _warm.Fill();
        }
    }

    /// <summary>Runs <paramref name="operation"/> as work the dispose waits for; refused once the dispose has begun.</summary>
    private async Task<T> TrackAsync<T>(Func<Task<T>> operation)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_operationsGate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _operations.Add(done.Task);
        }

        try
        {
            return await operation();
        }
        finally
        {
            lock (_operationsGate)
            {
                _operations.Remove(done.Task);
            }

            done.SetResult();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Workspace {Id} could not be destroyed after its command; the scheduled cleanup will reclaim it")]
    private static partial void BackgroundDestroyFailed(ILogger logger, Exception exception, string id);

    [LoggerMessage(Level = LogLevel.Information, Message = "Workspace {Id} created ({Isolation}) for instance {Instance} node {Node}")]
    private static partial void Created(ILogger logger, string id, IsolationMode isolation, string? instance, string? node);

    [LoggerMessage(Level = LogLevel.Information, Message = "Workspace {Id} released; its files wait for {Cleanup} cleanup")]
    private static partial void Released(ILogger logger, string id, CleanupMode cleanup);

    [LoggerMessage(Level = LogLevel.Information, Message = "Workspace {Id} reclaimed: {Reason}")]
    private static partial void Reclaimed(ILogger logger, string id, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Workspace {Id} went over its disk quota of {Limit} bytes; its command was stopped")]
    private static partial void QuotaExceeded(ILogger logger, string id, long limit);
}
