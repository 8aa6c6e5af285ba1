using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using TaskFlow.Workspaces.Registry;

namespace TaskFlow.Workspaces.WarmPool;

/// <summary>
/// Containers created and started ahead of use, <see cref="WorkspaceOptions.WarmPoolSize"/> per
/// image (the default image and each of <see cref="WorkspaceOptions.WarmPoolImages"/>), with the
/// default limits: a container workspace asking for one of those images with the default limits
/// takes one at once instead of waiting half a second for a new container. Warm containers hold
/// no slot and are not listed; they are tracked in the registry (state <see cref="WorkspaceState.Warm"/>)
/// so that an orphan scan leaves them alone.
/// </summary>
/// <remarks>
/// At shutdown, <see cref="DrainAsync"/> removes the ones nobody took: the fill is stopped and
/// waited for first (a container still being created would otherwise appear after the drain),
/// and each container is removed before its record is forgotten, so a concurrent orphan scan
/// never takes it for a crash's leftover and removes it at the same time.
/// </remarks>
internal sealed partial class WarmContainerPool(
    WorkspaceOptions options,
    WorkspaceRegistry registry,
    WorkspaceRootLock rootLock,
    IWorkspaceProvider? containers,
    TimeProvider time,
    ILogger logger)
{
    // Ready warm containers by image ("" for the default image).
    private readonly ConcurrentDictionary<string, ConcurrentQueue<string>> _warm = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private bool _stopped;
    private int _filling;
    private Task _fill = Task.CompletedTask;

    /// <summary>Containers in the pool, started and ready to be taken.</summary>
    public int Count => _warm.Values.Sum(q => q.Count);

    /// <summary>The images the pool keeps containers of: "" (the default image) and <see cref="WorkspaceOptions.WarmPoolImages"/>.</summary>
    private IEnumerable<string> Images => new[] { "" }.Concat(options.WarmPoolImages.Where(i => i.Length > 0)).Distinct(StringComparer.Ordinal);

    /// <summary>Whether a workspace of this mode, limits and image can be a warm container.</summary>
    public bool Serves(IsolationMode isolation, WorkspaceLimits limits, string? image) =>
        isolation == IsolationMode.Container && limits == options.Limits && Images.Contains(image ?? "", StringComparer.Ordinal);

    /// <summary>Starts filling the pool up to its size in the background, unless it is full, already filling, or stopped.</summary>
    public void Fill()
    {
        if (options.WarmPoolSize == 0 || containers is null)
        {
            return;
        }

        lock (_gate)
        {
            if (_stopped || Interlocked.CompareExchange(ref _filling, 1, 0) != 0)
            {
                return;
            }

            _fill = Task.Run(FillAsync);
        }
    }

    /// <summary>A warm container made into the requested workspace (saved, not yet logged), or null when the pool has none.</summary>
    public async Task<WorkspaceRecord?> TakeAsync(WorkspaceRequest request, CancellationToken cancellationToken)
    {
        var queue = _warm.GetOrAdd(request.Image ?? "", _ => new ConcurrentQueue<string>());
        while (queue.TryDequeue(out var id))
        {
            if (!registry.TryGet(id, out var workspace))
            {
                continue;
            }

            var now = time.GetUtcNow();
            WorkspaceRecord record;
            lock (workspace)
            {
                if (workspace.Record.State != WorkspaceState.Warm)
                {
                    continue;
                }

                record = workspace.Record with
                {
                    State = WorkspaceState.Active,
                    Owner = request.Owner ?? new WorkspaceOwner(),
                    CreatedAt = now,
                    ExpiresAt = now + (request.Timeout ?? options.WorkspaceTimeout),
                    Cleanup = request.Cleanup ?? options.Cleanup,
                    Key = request.Key,
                };
                workspace.Record = record;
            }

            await registry.SaveAsync(record, cancellationToken);
            return record;
        }

        return null;
    }

    /// <summary>
    /// Stops filling, waits for a fill under way, and removes the containers nobody took, within
    /// <paramref name="limit"/>. They hold nothing of anyone's, and a next start would remove them
    /// anyway (they may not match its settings); left behind, they would run until then, or for
    /// good if no process uses this root again. What is not gone in time is left to that next
    /// start, as after a crash.
    /// </summary>
    public async Task DrainAsync(TimeSpan limit)
    {
        lock (_gate)
        {
            _stopped = true;
        }

        await _stopping.CancelAsync();
        await _fill;
        if (containers is null)
        {
            return;
        }

        var drained = new List<string>();
        foreach (var queue in _warm.Values)
        {
            // Dequeued here, it can no longer be taken.
            while (queue.TryDequeue(out var id))
            {
                if (registry.TryGet(id, out var workspace) && workspace.Record.State == WorkspaceState.Warm)
                {
                    drained.Add(id);
                }
            }
        }

        using var deadline = new CancellationTokenSource(limit);
        await Task.WhenAll(drained.Select(async id =>
        {
            try
            {
                await containers.DestroyAsync(id, deadline.Token);
                registry.Forget(id);
                registry.DeleteFolder(id);
            }
            catch (Exception ex)
            {
                NotDrained(logger, ex, id);
            }
        }));
        _stopping.Dispose();
    }

    private async Task FillAsync()
    {
        try
        {
            // An engine that is not there: nothing is made (not even a folder) until it is.
            if (Images.Any(i => Warm(i) < options.WarmPoolSize) && await containers!.CheckAvailableAsync(_stopping.Token) is { } problem)
            {
                FillFailed(logger, problem);
                return;
            }

            foreach (var image in Images)
            {
                while (Warm(image) < options.WarmPoolSize && !_stopping.IsCancellationRequested)
                {
                    await AddAsync(image);
                }
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Shutting down.
        }
        catch (Exception ex)
        {
            // An engine that is down: the pool fills on the next take once it is back.
            FillFailed(logger, ex.Message);
        }
        finally
        {
            Volatile.Write(ref _filling, 0);
        }
    }

    private async Task AddAsync(string image)
    {
        var id = WorkspaceRegistry.NewId();
        var now = time.GetUtcNow();
        var record = new WorkspaceRecord(id, IsolationMode.Container, options.Limits, new WorkspaceOwner(), now, DateTimeOffset.MaxValue, options.Cleanup, image.Length == 0 ? null : image, WorkspaceState.Warm);
        rootLock.Take(create: true);
        registry.Track(record);
        try
        {
            Directory.CreateDirectory(registry.FilesOf(id));
            await registry.SaveAsync(record, CancellationToken.None);
            await containers!.CreateAsync(record.ToInfo(registry.FilesOf(id)), _stopping.Token);
        }
        catch
        {
            // The provider removes a half-made container itself; this makes sure, then forgets it.
            await containers!.DestroyAsync(id, CancellationToken.None);
            registry.Forget(id);
            registry.DeleteFolder(id);
            throw;
        }

        _warm.GetOrAdd(image, _ => new ConcurrentQueue<string>()).Enqueue(id);
    }

    private int Warm(string image) => _warm.TryGetValue(image, out var queue) ? queue.Count : 0;

    [LoggerMessage(Level = LogLevel.Warning, Message = "The warm pool could not be filled: {Reason}")]
    private static partial void FillFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Warm container {Id} could not be removed at shutdown; the next start on this root removes it")]
    private static partial void NotDrained(ILogger logger, Exception exception, string id);
}
