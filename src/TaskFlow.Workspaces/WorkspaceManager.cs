using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace TaskFlow.Workspaces;

/// <summary>What a new workspace should be; anything left null takes the configured default.</summary>
/// <param name="Key">Names a workspace to share: a request with the key of a live workspace gets that one (an instance's shared workspace).</param>
public sealed record WorkspaceRequest(
    IsolationMode? Isolation = null,
    string? Image = null,
    WorkspaceLimits? Limits = null,
    WorkspaceOwner? Owner = null,
    TimeSpan? Timeout = null,
    CleanupMode? Cleanup = null,
    string? Key = null);

/// <summary>A file or folder in a workspace, its path relative to the workspace.</summary>
public sealed record WorkspaceEntry(string Path, bool IsDirectory, long Bytes, DateTimeOffset ModifiedAt);

/// <summary>A file read from a workspace.</summary>
/// <param name="Truncated">The file is longer than what was read.</param>
public sealed record WorkspaceFile(string Path, byte[] Content, long Bytes, bool Truncated);

/// <summary>Which workspaces a cleanup pass reclaims.</summary>
public enum CleanupPass
{
    /// <summary>Workspaces released with <see cref="CleanupMode.Lazy"/>.</summary>
    Lazy,

    /// <summary>Expired workspaces, those whose instance finished, and orphans (sandboxes and folders with no record).</summary>
    Scheduled,
}

/// <summary>
/// Every workspace of this process: ids and folders, the policies (how many at once, limits,
/// timeout, cleanup), disk quotas, file access that cannot leave the workspace, and reclaiming
/// what a crash left behind. Sandboxes come from the provider of the workspace's isolation mode.
/// </summary>
/// <remarks>
/// <para>
/// Layout: <c>{Root}/{id}/files</c> is the workspace (mounted at <c>/workspace</c> inside), and
/// <c>{Root}/{id}/workspace.json</c> its record, read back at start.
/// </para>
/// <para>
/// One process owns a root: it holds an exclusive lock on <c>{Root}/.lock</c> from its first
/// look at the folder until it is disposed, and the kernel lets go of it when the process dies.
/// A second live process on the same root would otherwise take the first one's workspaces for
/// a crash's leftovers and delete them; it is refused instead, with a message naming the root.
/// </para>
/// </remarks>
public sealed partial class WorkspaceManager : IAsyncDisposable
{
    private const string RecordFile = "workspace.json";
    private const string FilesFolder = "files";
    private const string LockFile = ".lock";

    private readonly WorkspaceOptions _options;
    private readonly Dictionary<IsolationMode, IWorkspaceProvider> _providers;
    private readonly IWorkspaceOwnerStatus? _owners;
    private readonly ILogger<WorkspaceManager> _logger;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, Entry> _workspaces = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _slots;
    private readonly SemaphoreSlim _creatingShared = new(1, 1);
    // Ready warm containers by image ("" for the default image).
    private readonly ConcurrentDictionary<string, ConcurrentQueue<string>> _warm = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _disposing = new();
    private readonly Lock _rootLockGate = new();
    private readonly ConcurrentDictionary<Task, byte> _background = new();
    private FileStream? _rootLock;
    private int _loaded;
    private int _disposed;
    private int _filling;
    private Task _fill = Task.CompletedTask;

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
        _owners = owners;
        _logger = logger;
        _time = time;
        _slots = new SemaphoreSlim(_options.MaxWorkspaces, _options.MaxWorkspaces);
    }

    /// <summary>The folder holding every workspace.</summary>
    public string Root { get; }

    /// <summary>The configured limits: what a workspace gets when it asks for none, and the most it may ask for.</summary>
    public WorkspaceLimits DefaultLimits => _options.Limits;

    /// <summary>Active workspaces (those holding a slot).</summary>
    public int ActiveCount => _workspaces.Values.Count(e => e.Record.State == WorkspaceState.Active);

    /// <summary>Containers in the warm pool, started and ready to be taken.</summary>
    public int WarmCount => _warm.Values.Sum(q => q.Count);

    /// <summary>The images the warm pool keeps containers of: "" (the default image) and <see cref="WorkspaceOptions.WarmPoolImages"/>.</summary>
    private IEnumerable<string> WarmImages => new[] { "" }.Concat(_options.WarmPoolImages.Where(i => i.Length > 0)).Distinct(StringComparer.Ordinal);

    private int Warm(string image) => _warm.TryGetValue(image, out var queue) ? queue.Count : 0;

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
            var existing = _workspaces.Values.FirstOrDefault(e => e.Record.Key == request.Key && e.Record.State == WorkspaceState.Active);
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

        var entry = Active(id);
        var folder = FilesOf(id);
        var limit = entry.Record.Limits.DiskBytes;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var watching = new CancellationTokenSource();
        var exceeded = 0;
        var watcher = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    await Task.Delay(_options.QuotaCheckInterval, watching.Token);
                    if (DiskUsage.Measure(folder, limit) > limit)
                    {
                        Volatile.Write(ref exceeded, 1);
                        await stop.CancelAsync();
                        return;
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // The command ended.
            }
        }, CancellationToken.None);

        Interlocked.Increment(ref entry.Running);
        ExecResult result;
        try
        {
            result = await _providers[entry.Record.Isolation].ExecAsync(entry.Record.ToInfo(folder), request, stop.Token);
        }
        finally
        {
            Interlocked.Decrement(ref entry.Running);
            await watching.CancelAsync();
            await watcher;
        }

        // Over the quota while it ran, or when it ended: either way the quota is the reason.
        if (Volatile.Read(ref exceeded) == 1 || (result.Termination != ExecTermination.DiskQuotaExceeded && DiskUsage.Measure(folder, limit) > limit))
        {
            QuotaExceeded(_logger, id, limit);
            return result with { Termination = ExecTermination.DiskQuotaExceeded };
        }

        return result;
    }

    /// <summary>Writes a file (creating its folders), refusing paths that lead outside and content that would exceed the quota.</summary>
    public async Task WriteFileAsync(string id, string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        var entry = Active(id);
        var folder = FilesOf(id);
        var target = WorkspacePathGuard.Resolve(folder, path);
        if (Directory.Exists(target))
        {
            throw new WorkspaceException($"The path '{path}' is a folder; give a file path.");
        }

        var existing = File.Exists(target) ? new FileInfo(target).Length : 0;
        var used = DiskUsage.Measure(folder);
        if (used - existing + content.Length > entry.Record.Limits.DiskBytes)
        {
            throw new WorkspaceException($"Writing {content.Length} bytes to '{path}' would exceed the workspace's disk quota of {entry.Record.Limits.DiskBytes} bytes ({used} in use).");
        }

        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        await File.WriteAllBytesAsync(target, content.ToArray(), cancellationToken);
        MakeSandboxWritable(target, folder);
    }

    /// <summary>Reads up to <paramref name="maxBytes"/> of a file.</summary>
    public async Task<WorkspaceFile> ReadFileAsync(string id, string path, int maxBytes = 1024 * 1024, CancellationToken cancellationToken = default)
    {
        _ = Find(id);
        var target = WorkspacePathGuard.Resolve(FilesOf(id), path);
        if (!File.Exists(target))
        {
            throw new WorkspaceException(Directory.Exists(target) ? $"The path '{path}' is a folder; list it instead." : $"The workspace has no file '{path}'.");
        }

        await using var stream = File.OpenRead(target);
        var length = stream.Length;
        var buffer = new byte[(int)Math.Min(length, maxBytes)];
        await stream.ReadExactlyAsync(buffer, cancellationToken);
        return new WorkspaceFile(path, buffer, length, length > buffer.Length);
    }

    /// <summary>The files and folders under a folder of the workspace (its top when null).</summary>
    public IReadOnlyList<WorkspaceEntry> ListFiles(string id, string? path = null, bool recursive = false)
    {
        _ = Find(id);
        var folder = FilesOf(id);
        var start = path is null ? folder : WorkspacePathGuard.Resolve(folder, path);
        if (!Directory.Exists(start))
        {
            throw new WorkspaceException($"The workspace has no folder '{path}'.");
        }

        var options = new EnumerationOptions { RecurseSubdirectories = recursive, IgnoreInaccessible = true, AttributesToSkip = 0 };
        return [.. new DirectoryInfo(start).EnumerateFileSystemInfos("*", options)
            .Select(i => new WorkspaceEntry(
                Path.GetRelativePath(folder, i.FullName),
                i is DirectoryInfo,
                i is FileInfo f && f.LinkTarget is null ? f.Length : 0,
                i.LastWriteTimeUtc))
            .OrderBy(e => e.Path, StringComparer.Ordinal)];
    }

    /// <summary>
    /// Destroys a workspace: its sandbox at once; its folder at once (<c>Immediate</c>), at the
    /// next lazy cleanup (<c>Lazy</c>) or when it expires (<c>Scheduled</c>).
    /// </summary>
    /// <returns>False when there is no such workspace.</returns>
    public async Task<bool> DestroyAsync(string id, CleanupMode? mode = null, CancellationToken cancellationToken = default)
    {
        await EnsureLoadedAsync(cancellationToken);
        if (!_workspaces.TryGetValue(id, out var entry) || entry.Record.State == WorkspaceState.Warm)
        {
            return false;
        }

        var cleanup = mode ?? entry.Record.Cleanup;
        if (mode is { } asked && _options.AllowedCleanup is { Count: > 0 } cleanups && !cleanups.Contains(asked))
        {
            throw new WorkspaceException($"Cleanup mode '{asked.ToString().ToLowerInvariant()}' is not offered here; use {string.Join(", ", cleanups.Select(m => m.ToString().ToLowerInvariant()))}.");
        }

        if (cleanup == CleanupMode.Immediate)
        {
            await ReclaimAsync(entry, "destroyed", cancellationToken);
            return true;
        }

        await ReleaseAsync(entry, cleanup, cancellationToken);
        return true;
    }

    /// <summary>
    /// <see cref="DestroyAsync"/> without waiting for the sandbox to go (removing a container takes
    /// about 130 ms): the workspace leaves the list before this returns, and its slot frees once
    /// the sandbox is gone. A failure is logged, and the scheduled cleanup reclaims what is left.
    /// </summary>
    public void DestroyInBackground(string id, CleanupMode? mode = null)
    {
        var done = new TaskCompletionSource();
        _background.TryAdd(done.Task, 0);
        _ = RunAsync();

        async Task RunAsync()
        {
            try
            {
                await DestroyAsync(id, mode, CancellationToken.None);
            }
            catch (Exception ex)
            {
                BackgroundDestroyFailed(_logger, ex, id);
            }
            finally
            {
                _background.TryRemove(done.Task, out _);
                done.SetResult();
            }
        }
    }

    public WorkspaceView? Get(string id) => _workspaces.TryGetValue(id, out var entry) && entry.Record.State != WorkspaceState.Warm ? View(entry) : null;

    public IReadOnlyList<WorkspaceView> List() =>
        [.. _workspaces.Values.Where(e => e.Record.State != WorkspaceState.Warm).OrderBy(e => e.Record.CreatedAt).Select(View)];

    /// <summary>One cleanup pass; returns how many workspaces (and orphans) it reclaimed.</summary>
    public async Task<int> CleanupAsync(CleanupPass pass, CancellationToken cancellationToken = default)
    {
        await EnsureLoadedAsync(cancellationToken);
        var now = _time.GetUtcNow();
        var reclaimed = 0;
        foreach (var entry in _workspaces.Values.ToList())
        {
            var record = entry.Record;
            string? reason = null;
            if (record.State == WorkspaceState.Warm)
            {
                continue;
            }

            if (record is { State: WorkspaceState.Released, Cleanup: CleanupMode.Lazy })
            {
                // The scheduled pass takes them too, so lazy cleanup never waits for more than both periods.
                reason = "released for lazy cleanup";
            }
            else if (pass == CleanupPass.Scheduled && entry.Running == 0)
            {
                if (record.ExpiresAt <= now)
                {
                    reason = "expired";
                }
                else if (record.Owner.InstanceId is { } instance && _owners is not null && await _owners.IsFinishedAsync(instance, cancellationToken))
                {
                    reason = "its instance finished";
                }
            }

            if (reason is not null)
            {
                await ReclaimAsync(entry, reason, cancellationToken);
                reclaimed++;
            }
        }

        if (pass == CleanupPass.Scheduled)
        {
            reclaimed += await ReclaimOrphansAsync(cancellationToken);
        }

        return reclaimed;
    }

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

        await _creatingShared.WaitAsync(cancellationToken);
        try
        {
            if (_loaded == 1)
            {
                return;
            }

            // The folder appears with the first workspace: a server that never runs one writes nothing.
            LockRoot(create: false);
            foreach (var folder in Directory.Exists(Root) ? Directory.EnumerateDirectories(Root) : [])
            {
                var file = Path.Combine(folder, RecordFile);
                if (!File.Exists(file))
                {
                    continue;
                }

                try
                {
                    var record = JsonSerializer.Deserialize<WorkspaceRecord>(await File.ReadAllTextAsync(file, cancellationToken), WorkspaceRecord.Json);
                    if (record is not null && record.Id == Path.GetFileName(folder))
                    {
                        // A workspace still active takes its slot, even beyond the maximum.
                        if (record.State == WorkspaceState.Active)
                        {
                            _slots.Wait(0, CancellationToken.None);
                        }

                        // A warm container of a previous process may not match today's settings: it
                        // is reclaimed below (as an orphan) and the pool filled afresh.
                        if (record.State != WorkspaceState.Warm)
                        {
                            _workspaces[record.Id] = new Entry(record);
                        }
                    }
                }
                catch (JsonException ex)
                {
                    UnreadableRecord(_logger, ex, file);
                }
            }

            Volatile.Write(ref _loaded, 1);
        }
        finally
        {
            _creatingShared.Release();
        }

        await ReclaimOrphansAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        // Workspaces outlive the process on purpose (a restarted server finds them, cleanup reclaims
        // them); only what this object holds is released here, once a pool fill has stopped.
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _disposing.CancelAsync();
        await _fill;
        await Task.WhenAll(_background.Keys);
        _disposing.Dispose();
        _slots.Dispose();
        _creatingShared.Dispose();
        lock (_rootLockGate)
        {
            _rootLock?.Dispose();
            _rootLock = null;
        }
    }

    /// <summary>Takes the root's lock once (see the remarks); throws when another live process holds it.</summary>
    /// <param name="create">Make the root if it does not exist yet; otherwise a missing root is left missing.</param>
    private void LockRoot(bool create)
    {
        lock (_rootLockGate)
        {
            if (_rootLock is not null || (!create && !Directory.Exists(Root)))
            {
                return;
            }

            Directory.CreateDirectory(Root);
            try
            {
                // FileShare.None is an exclusive flock on Unix: held until disposed or the process ends.
                _rootLock = new FileStream(Path.Combine(Root, LockFile), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 0);
            }
            catch (IOException ex)
            {
                throw new WorkspaceException(
                    $"The workspace folder {Root} is in use by another running TaskFlow process. Each process needs a folder of its own "
                    + "(TaskFlow:Workspaces:Root, or a data folder of its own); nothing in it was touched.",
                    ex);
            }
        }
    }

    /// <summary>
    /// <c>auto</c>: a container when an engine answers, else the sandbox, else an error naming why
    /// neither can run. Modes the host does not offer are not considered.
    /// </summary>
    private async Task<IsolationMode> ChooseAutoAsync(CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        foreach (var mode in (IsolationMode[])[IsolationMode.Container, IsolationMode.Process])
        {
            var name = mode.ToString().ToLowerInvariant();
            if (_options.AllowedIsolation is { Count: > 0 } allowed && !allowed.Contains(mode))
            {
                problems.Add($"{name}: not offered here");
            }
            else if (!_providers.TryGetValue(mode, out var provider))
            {
                problems.Add($"{name}: no provider for it is configured");
            }
            else if (await provider.CheckAvailableAsync(cancellationToken) is { } problem)
            {
                problems.Add($"{name}: {problem}");
            }
            else
            {
                return mode;
            }
        }

        throw new WorkspaceException($"Isolation mode 'auto' found no way to run a workspace on this host ({string.Join("; ", problems)}).");
    }

    private async Task<WorkspaceRecord> CreateNewAsync(WorkspaceRequest request, CancellationToken cancellationToken)
    {
        var isolation = request.Isolation ?? _options.DefaultIsolation;
        if (isolation == IsolationMode.Auto)
        {
            isolation = await ChooseAutoAsync(cancellationToken);
        }

        if (_options.AllowedIsolation is { Count: > 0 } allowed && !allowed.Contains(isolation))
        {
            throw new WorkspaceException($"Isolation mode '{isolation.ToString().ToLowerInvariant()}' is not offered here; use {string.Join(", ", allowed.Select(m => m.ToString().ToLowerInvariant()))}.");
        }

        if (request.Cleanup is { } asked && _options.AllowedCleanup is { Count: > 0 } cleanups && !cleanups.Contains(asked))
        {
            throw new WorkspaceException($"Cleanup mode '{asked.ToString().ToLowerInvariant()}' is not offered here; use {string.Join(", ", cleanups.Select(m => m.ToString().ToLowerInvariant()))}.");
        }

        if (!_providers.TryGetValue(isolation, out var provider))
        {
            throw new WorkspaceUnavailableException(isolation, "no provider for it is configured");
        }

        var limits = CheckLimits(request.Limits);
        await TakeSlotAsync(cancellationToken);
        if (isolation == IsolationMode.Container && limits == _options.Limits && WarmImages.Contains(request.Image ?? "", StringComparer.Ordinal))
        {
            // A taken container is replaced when a container workspace goes away, so that the
            // new container's start (half a second of the engine's CPU) does not compete with
            // the command about to run; an empty pool starts filling at once.
            if (await TakeWarmAsync(request, cancellationToken) is { } taken)
            {
                return taken;
            }

            FillWarmPool();
        }

        var id = NewId();
        var folder = FilesOf(id);
        var now = _time.GetUtcNow();
        var record = new WorkspaceRecord(
            id,
            isolation,
            limits,
            request.Owner ?? new WorkspaceOwner(),
            now,
            now + (request.Timeout ?? _options.WorkspaceTimeout),
            request.Cleanup ?? _options.Cleanup,
            request.Image,
            Key: request.Key);

        // Known before anything exists, so an orphan scan running meanwhile leaves it alone.
        LockRoot(create: true);
        _workspaces[id] = new Entry(record);
        try
        {
            Directory.CreateDirectory(folder);
            await SaveAsync(record, cancellationToken);
            await provider.CreateAsync(record.ToInfo(folder), cancellationToken);
        }
        catch
        {
            _workspaces.TryRemove(id, out _);
            await provider.DestroyAsync(id, CancellationToken.None);
            DeleteFolder(id);
            _slots.Release();
            throw;
        }

        Created(_logger, id, isolation, record.Owner.InstanceId, record.Owner.NodeId);
        return record;
    }

    /// <summary>Starts filling the warm pool up to <see cref="WorkspaceOptions.WarmPoolSize"/> in the background, unless it is full or already filling.</summary>
    public void FillWarmPool()
    {
        if (_options.WarmPoolSize == 0 || !_providers.TryGetValue(IsolationMode.Container, out var provider) || Interlocked.CompareExchange(ref _filling, 1, 0) != 0)
        {
            return;
        }

        _fill = Task.Run(async () =>
        {
            try
            {
                // An engine that is not there: nothing is made (not even a folder) until it is.
                if (WarmImages.Any(i => Warm(i) < _options.WarmPoolSize) && await provider.CheckAvailableAsync(_disposing.Token) is { } problem)
                {
                    WarmPoolFailed(_logger, problem);
                    return;
                }

                foreach (var image in WarmImages)
                {
                    while (Warm(image) < _options.WarmPoolSize && !_disposing.IsCancellationRequested)
                    {
                        await AddWarmAsync(provider, image);
                    }
                }
            }
            catch (Exception ex)
            {
                // An engine that is down: the pool fills on the next take once it is back.
                WarmPoolFailed(_logger, ex.Message);
            }
            finally
            {
                Volatile.Write(ref _filling, 0);
            }
        });
    }

    private async Task AddWarmAsync(IWorkspaceProvider provider, string image)
    {
        var id = NewId();
        var now = _time.GetUtcNow();
        var record = new WorkspaceRecord(id, IsolationMode.Container, _options.Limits, new WorkspaceOwner(), now, DateTimeOffset.MaxValue, _options.Cleanup, image.Length == 0 ? null : image, WorkspaceState.Warm);
        LockRoot(create: true);
        _workspaces[id] = new Entry(record);
        try
        {
            Directory.CreateDirectory(FilesOf(id));
            await SaveAsync(record, CancellationToken.None);
            await provider.CreateAsync(record.ToInfo(FilesOf(id)), CancellationToken.None);
        }
        catch
        {
            _workspaces.TryRemove(id, out _);
            await provider.DestroyAsync(id, CancellationToken.None);
            DeleteFolder(id);
            throw;
        }

        _warm.GetOrAdd(image, _ => new ConcurrentQueue<string>()).Enqueue(id);
    }

    /// <summary>A warm container made into the requested workspace, or null when the pool is empty.</summary>
    private async Task<WorkspaceRecord?> TakeWarmAsync(WorkspaceRequest request, CancellationToken cancellationToken)
    {
        var queue = _warm.GetOrAdd(request.Image ?? "", _ => new ConcurrentQueue<string>());
        while (queue.TryDequeue(out var id))
        {
            if (!_workspaces.TryGetValue(id, out var entry))
            {
                continue;
            }

            var now = _time.GetUtcNow();
            WorkspaceRecord record;
            lock (entry)
            {
                if (entry.Record.State != WorkspaceState.Warm)
                {
                    continue;
                }

                record = entry.Record with
                {
                    State = WorkspaceState.Active,
                    Owner = request.Owner ?? new WorkspaceOwner(),
                    CreatedAt = now,
                    ExpiresAt = now + (request.Timeout ?? _options.WorkspaceTimeout),
                    Cleanup = request.Cleanup ?? _options.Cleanup,
                    Key = request.Key,
                };
                entry.Record = record;
            }

            await SaveAsync(record, cancellationToken);
            Created(_logger, id, record.Isolation, record.Owner.InstanceId, record.Owner.NodeId);
            return record;
        }

        return null;
    }

    private WorkspaceLimits CheckLimits(WorkspaceLimits? requested)
    {
        var max = _options.Limits;
        if (requested is null)
        {
            return max;
        }

        var problems = new List<string>();
        if (requested.MemoryBytes <= 0 || requested.MemoryBytes > max.MemoryBytes)
        {
            problems.Add($"memory {requested.MemoryBytes} bytes is not between 1 and the configured {max.MemoryBytes}");
        }

        if (requested.Cpus <= 0 || requested.Cpus > max.Cpus)
        {
            problems.Add($"cpus {requested.Cpus} is not above 0 and at most the configured {max.Cpus}");
        }

        if (requested.Pids <= 0 || requested.Pids > max.Pids)
        {
            problems.Add($"pids {requested.Pids} is not between 1 and the configured {max.Pids}");
        }

        if (requested.DiskBytes <= 0 || requested.DiskBytes > max.DiskBytes)
        {
            problems.Add($"disk {requested.DiskBytes} bytes is not between 1 and the configured {max.DiskBytes}");
        }

        if (requested.Network && !_options.AllowNetwork)
        {
            problems.Add("network is not allowed (TaskFlow:Workspaces:AllowNetwork is false)");
        }

        return problems.Count == 0 ? requested : throw new WorkspaceException($"The workspace limits are refused: {string.Join("; ", problems)}.");
    }

    private async Task TakeSlotAsync(CancellationToken cancellationToken)
    {
        if (_slots.Wait(0, CancellationToken.None))
        {
            return;
        }

        if (_options.WhenFull == WhenFull.FailFast)
        {
            throw new WorkspaceException($"All {_options.MaxWorkspaces} workspaces are in use (TaskFlow:Workspaces:MaxWorkspaces); destroy one or try again later.");
        }

        if (!await _slots.WaitAsync(_options.QueueTimeout, cancellationToken))
        {
            throw new WorkspaceException($"No workspace became free within {_options.QueueTimeout.TotalSeconds:0} s: all {_options.MaxWorkspaces} are in use (TaskFlow:Workspaces:MaxWorkspaces).");
        }
    }

    /// <summary>Removes the sandbox, keeps the folder for later cleanup, and frees the slot.</summary>
    private async Task ReleaseAsync(Entry entry, CleanupMode cleanup, CancellationToken cancellationToken)
    {
        lock (entry)
        {
            if (entry.Record.State == WorkspaceState.Released)
            {
                return;
            }

            entry.Record = entry.Record with { State = WorkspaceState.Released, ReleasedAt = _time.GetUtcNow(), Cleanup = cleanup };
        }

        await _providers[entry.Record.Isolation].DestroyAsync(entry.Record.Id, cancellationToken);
        await SaveAsync(entry.Record, cancellationToken);
        _slots.Release();
        Released(_logger, entry.Record.Id, cleanup);
        if (entry.Record.Isolation == IsolationMode.Container)
        {
            FillWarmPool();
        }
    }

    /// <summary>Removes the sandbox, the folder and the record.</summary>
    private async Task ReclaimAsync(Entry entry, string reason, CancellationToken cancellationToken)
    {
        if (!_workspaces.TryRemove(entry.Record.Id, out _))
        {
            return;
        }

        var wasActive = entry.Record.State == WorkspaceState.Active;
        if (_providers.TryGetValue(entry.Record.Isolation, out var provider))
        {
            await provider.DestroyAsync(entry.Record.Id, cancellationToken);
        }

        DeleteFolder(entry.Record.Id);
        if (wasActive)
        {
            _slots.Release();
        }

        Reclaimed(_logger, entry.Record.Id, reason);
        if (entry.Record.Isolation == IsolationMode.Container)
        {
            FillWarmPool();
        }
    }

    private async Task<int> ReclaimOrphansAsync(CancellationToken cancellationToken)
    {
        var reclaimed = 0;
        foreach (var provider in _providers.Values)
        {
            IReadOnlyList<string> owned;
            try
            {
                owned = await provider.ListOwnedAsync(cancellationToken);
            }
            catch (WorkspaceException ex)
            {
                // A mode that cannot run here has nothing to reclaim either.
                OrphanScanFailed(_logger, provider.Mode, ex.Message);
                continue;
            }

            foreach (var id in owned.Where(id => !_workspaces.TryGetValue(id, out var e) || e.Record.State == WorkspaceState.Released))
            {
                await provider.DestroyAsync(id, cancellationToken);
                if (!_workspaces.ContainsKey(id))
                {
                    Reclaimed(_logger, id, $"orphaned {provider.Mode.ToString().ToLowerInvariant()} sandbox");
                    reclaimed++;
                }
            }
        }

        foreach (var folder in Directory.Exists(Root) ? Directory.EnumerateDirectories(Root) : [])
        {
            var id = Path.GetFileName(folder);
            if (!_workspaces.ContainsKey(id))
            {
                DeleteFolder(id);
                Reclaimed(_logger, id, "orphaned folder");
                reclaimed++;
            }
        }

        return reclaimed;
    }

    private Entry Find(string id) =>
        _workspaces.TryGetValue(id, out var entry) && entry.Record.State != WorkspaceState.Warm ? entry : throw new WorkspaceNotFoundException(id);

    private Entry Active(string id)
    {
        var entry = Find(id);
        return entry.Record.State == WorkspaceState.Active
            ? entry
            : throw new WorkspaceException($"Workspace '{id}' was destroyed ({entry.Record.Cleanup.ToString().ToLowerInvariant()} cleanup); its files can still be read until cleanup reclaims them.");
    }

    private WorkspaceView View(Entry entry) =>
        new(entry.Record, DiskUsage.Measure(FilesOf(entry.Record.Id)), Volatile.Read(ref entry.Running));

    private string FilesOf(string id) => Path.Combine(Root, id, FilesFolder);

    private async Task SaveAsync(WorkspaceRecord record, CancellationToken cancellationToken)
    {
        var file = Path.Combine(Root, record.Id, RecordFile);
        var temporary = file + ".tmp";
        await File.WriteAllTextAsync(temporary, JsonSerializer.Serialize(record, WorkspaceRecord.Json), cancellationToken);
        File.Move(temporary, file, overwrite: true);
    }

    private void DeleteFolder(string id)
    {
        var folder = Path.Combine(Root, id);
        try
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            DeleteFailed(_logger, ex, folder);
        }
    }

    /// <summary>A file written from the host must be writable by the sandbox's user too.</summary>
    private static void MakeSandboxWritable(string file, string folder)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite;
        File.SetUnixFileMode(file, mode);
        for (var dir = Path.GetDirectoryName(file); dir is not null && dir.Length > folder.Length; dir = Path.GetDirectoryName(dir))
        {
            File.SetUnixFileMode(dir, mode | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        }
    }

    /// <summary>12 hex characters: short enough for names and cgroup paths, random enough not to collide.</summary>
    private static string NewId() => "ws-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));

    /// <summary>A workspace and what is running in it. The record is replaced, never changed in place.</summary>
    private sealed class Entry(WorkspaceRecord record)
    {
        public WorkspaceRecord Record { get; set; } = record;

        public int Running;
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "The workspace record {File} cannot be read; its folder is left alone")]
    private static partial void UnreadableRecord(ILogger logger, Exception exception, string file);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not delete the workspace folder {Folder}")]
    private static partial void DeleteFailed(ILogger logger, Exception exception, string folder);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The warm pool could not be filled: {Reason}")]
    private static partial void WarmPoolFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "No orphan scan for {Mode} workspaces: {Reason}")]
    private static partial void OrphanScanFailed(ILogger logger, IsolationMode mode, string reason);
}

/// <summary>No workspace has the id.</summary>
public sealed class WorkspaceNotFoundException(string id) : WorkspaceException($"No workspace has the id '{id}'.")
{
    public string Id { get; } = id;
}

/// <summary>The folder holding every workspace, resolved once (relative paths are under the engine's data folder).</summary>
public sealed record WorkspaceRoot(string Path)
{
    /// <summary>
    /// A short name for this installation (machine and folder): its sandboxes carry it, so that two
    /// installations sharing a Docker engine or a cgroup tree never reclaim each other's.
    /// </summary>
    public string Scope { get; } = "tf" + Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Environment.MachineName + "\n" + Path)))[..10];
}
