using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TaskFlow.Core.Activities;
using TaskFlow.Engine.Hosting;
using TaskFlow.Engine.Persistence;

namespace TaskFlow.Engine.Dispatch;

/// <summary>
/// One process's worker: a claim loop, activity executions, a commit loop and a heartbeat.
/// </summary>
/// <remarks>
/// - Claims take a batch of due items in one round trip and lease them.
/// - Results are committed in batches: one transaction per batch, however many nodes finish.
/// - Successors made ready by a commit are kept by this worker when it has free slots, so a
///   chain runs without a claim round trip between steps; the rest wait in the queue.
/// - The claim loop sleeps until a wake-up (in-process, or NOTIFY from another process), the
///   next due time in the queue, or <see cref="TaskFlowEngineOptions.MaxIdleWait"/>.
/// - Heartbeats extend leases; a lease found gone (instance cancelled, node skipped, or
///   re-claimed after this worker stalled) cancels its execution.
/// </remarks>
public sealed partial class WorkDispatcher(
    EngineStore store,
    ActivityExecutor executor,
    InlineStepRunner inline,
    WorkSignal signal,
    IOptions<TaskFlowEngineOptions> options,
    TimeProvider time,
    Diagnostics.EngineMetrics metrics,
    ILogger<WorkDispatcher> logger) : BackgroundService
{
    private readonly TaskFlowEngineOptions _options = options.Value;
    private readonly Channel<Completion> _completions = Channel.CreateUnbounded<Completion>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<long, InFlight> _inFlight = new();
    private readonly WorkSignal _slotFreed = new();
    private readonly List<ClaimedWork> _released = [];
    private int _running;

    // When a claim last came back short of what it asked for (the queue held no more due work),
    // and the work signal's generation just before it. Until the signal is set again, or
    // DueRecheck has passed, commits keep their successors without claiming other work.
    private long _emptyGeneration = -1;
    private long _emptyAt;

    /// <summary>
    /// How long a commit goes without claiming other due work after the queue was found empty and
    /// nothing was announced since. Announced work (this process's, or another's through PostgreSQL
    /// NOTIFY) is claimed at the next commit; due timers and expired leases are the claim loop's,
    /// which sleeps until the next due time; this bound is for what nothing announces, such as
    /// another process's work on a shared SQLite file.
    /// </summary>
    private static readonly TimeSpan DueRecheck = TimeSpan.FromMilliseconds(20);

    public string WorkerId => _options.EffectiveWorkerId;

    /// <summary>Activities executing or waiting for their commit in this process.</summary>
    public int InFlightCount => Volatile.Read(ref _running);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        store.WorkAvailable += signal.Set;
        store.WorkWithdrawn += StopWithdrawn;
        metrics.ObserveWorkers(() => (InFlightCount, _options.MaxConcurrency));
        using var executions = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var commit = Task.Run(() => CommitLoopAsync(), CancellationToken.None);
        var heartbeat = Task.Run(() => HeartbeatLoopAsync(stoppingToken), CancellationToken.None);
        try
        {
            await ClaimLoopAsync(executions.Token, stoppingToken);
        }
        finally
        {
            store.WorkAvailable -= signal.Set;
            store.WorkWithdrawn -= StopWithdrawn;
            await DrainAsync(executions);
            _completions.Writer.TryComplete();
            await commit;
            await heartbeat.ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private async Task ClaimLoopAsync(CancellationToken executionToken, CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var free = _options.MaxConcurrency - InFlightCount;
                if (free <= 0)
                {
                    await _slotFreed.WaitAsync(_options.MaxIdleWait, stoppingToken);
                    continue;
                }

                var (generation, at, wanted) = (signal.Generation, time.GetTimestamp(), Math.Min(free, _options.ClaimBatchSize));
                var claimed = await store.ClaimAsync(WorkerId, wanted, _options.LeaseDuration, stoppingToken);
                NoteClaim(claimed.Count < wanted, generation, at);
                failures = 0;
                metrics.RecordClaim(claimed);
                foreach (var work in claimed)
                {
                    Start(work, executionToken);
                }

                if (claimed.Count > 0)
                {
                    continue;
                }

                var next = await store.NextVisibleAtAsync(stoppingToken);
                var wait = next is { } due ? due - time.GetUtcNow() : _options.MaxIdleWait;
                if (wait > TimeSpan.Zero)
                {
                    await signal.WaitAsync(wait < _options.MaxIdleWait ? wait + TimeSpan.FromMilliseconds(1) : _options.MaxIdleWait, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                var delay = RetryDelay.For(++failures, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5));
                LogClaimFailed(ex, Math.Round(delay.TotalMilliseconds));
                await Task.Delay(delay, time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    private void StopWithdrawn(IReadOnlyList<(string InstanceId, string? NodeId)> withdrawn)
    {
        foreach (var entry in _inFlight.Values)
        {
            foreach (var (instanceId, nodeId) in withdrawn)
            {
                var work = entry.Work;
                if (work.InstanceId == instanceId && !entry.LeaseLost &&
                    (nodeId is null || work.NodeId == nodeId || (work.NodeId.StartsWith(nodeId, StringComparison.Ordinal) && work.NodeId.Length > nodeId.Length && work.NodeId[nodeId.Length] == '[')))
                {
                    // Its work item is gone; the lease is as good as lost, and its result would be dropped.
                    entry.LeaseLost = true;
                    try
                    {
                        entry.Cancellation.Cancel();
                    }
                    catch (ObjectDisposedException)
                    {
                        // It finished in the meantime.
                    }
                }
            }
        }
    }

    private void Start(ClaimedWork work, CancellationToken executionToken)
    {
        var cancellation = CancellationTokenSource.CreateLinkedTokenSource(executionToken);
        var entry = new InFlight(work, cancellation);
        _inFlight[work.Id] = entry;
        Interlocked.Increment(ref _running);
        entry.Task = Task.Run(() => ExecuteOneAsync(entry), CancellationToken.None);
    }

    private async Task ExecuteOneAsync(InFlight entry)
    {
        ActivityResult result;
        try
        {
            result = await executor.ExecuteAsync(entry.Work, entry.Cancellation.Token);
        }
        catch (OperationCanceledException) when (entry.Cancellation.IsCancellationRequested)
        {
            // No result to commit: the execution was interrupted, which is not the activity
            // failing. A lost lease's item is gone or someone else's. On shutdown the lease is
            // released, so another worker runs the item at once, on the same attempt.
            Abandon(entry);
            return;
        }
        catch (Exception ex)
        {
            result = ActivityResult.Failed($"{ex.GetType().Name}: {ex.Message}");
        }

        _completions.Writer.TryWrite(new Completion(entry.Work, result, time.GetUtcNow().ToUnixTimeMilliseconds()));
    }

    private void Abandon(InFlight entry)
    {
        if (!entry.LeaseLost)
        {
            lock (_released)
            {
                _released.Add(entry.Work);
            }
        }

        if (_inFlight.TryRemove(entry.Work.Id, out _))
        {
            entry.Cancellation.Dispose();
            Interlocked.Decrement(ref _running);
        }

        _slotFreed.Set();
    }

    private async Task CommitLoopAsync()
    {
        var reader = _completions.Reader;
        var batch = new List<Completion>(_options.CommitBatchSize);
        while (await reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < _options.CommitBatchSize && reader.TryRead(out var completion))
            {
                batch.Add(completion);
            }

            var kept = await CommitWithRetryAsync(batch);
            foreach (var done in batch)
            {
                if (_inFlight.TryRemove(done.Work.Id, out var entry))
                {
                    entry.Cancellation.Dispose();
                }

                Interlocked.Decrement(ref _running);
            }

            foreach (var work in kept)
            {
                Start(work, CancellationToken.None);
            }

            _slotFreed.Set();
        }
    }

    private async Task<IReadOnlyList<ClaimedWork>> CommitWithRetryAsync(List<Completion> batch)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                // Capacity for successors: the slots free once this batch is done.
                var keep = Math.Max(0, _options.MaxConcurrency - (InFlightCount - batch.Count));
                var generation = signal.Generation;
                var started = time.GetTimestamp();
                var claimDue = generation != Volatile.Read(ref _emptyGeneration) || time.GetElapsedTime(Volatile.Read(ref _emptyAt), started) >= DueRecheck;
                var kept = await store.CompleteAsync(batch, WorkerId, keep, _options.LeaseDuration, _options.MaxInlineSteps > 0 ? inline : null, claimDue);
                metrics.RecordCommit(batch.Count, time.GetElapsedTime(started));
                if (claimDue)
                {
                    // Fewer than the capacity came back: the commit's claim (when it made one) found
                    // no more. When it made none, it queued work for others, which sets the signal.
                    NoteClaim(kept.Count < keep, generation, started);
                }

                // Successors kept for this worker were claimed in the same commit.
                metrics.RecordClaim(kept);
                return kept;
            }
            catch (Exception ex) when (attempt < 10)
            {
                // The items stay leased to us; if we never manage to commit, the leases expire and
                // another worker runs them again (at-least-once execution).
                LogCommitFailed(ex, batch.Count, attempt);
                await Task.Delay(RetryDelay.For(attempt, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5)), time);
            }
            catch (Exception ex)
            {
                LogCommitAbandoned(ex, batch.Count);
                return [];
            }
        }
    }

    private void NoteClaim(bool cameBackShort, long generation, long at)
    {
        if (cameBackShort)
        {
            Volatile.Write(ref _emptyAt, at);
            Volatile.Write(ref _emptyGeneration, generation);
        }
        else
        {
            Volatile.Write(ref _emptyGeneration, -1);
        }
    }

    private async Task HeartbeatLoopAsync(CancellationToken stoppingToken)
    {
        var period = _options.LeaseDuration / 3;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(period, time, stoppingToken);
                metrics.SetQueueDepth(await store.QueueDepthAsync(stoppingToken));
                var items = _inFlight.Values.Select(e => e.Work).ToArray();
                if (items.Length == 0)
                {
                    continue;
                }

                var held = await store.ExtendLeasesAsync(WorkerId, items, _options.LeaseDuration, stoppingToken);
                foreach (var item in items.Where(i => !held.Contains(i.Id)))
                {
                    if (_inFlight.TryGetValue(item.Id, out var entry) && !entry.LeaseLost)
                    {
                        entry.LeaseLost = true;
                        await entry.Cancellation.CancelAsync();
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogHeartbeatFailed(ex);
            }
        }
    }

    private async Task DrainAsync(CancellationTokenSource executions)
    {
        // Give running activities a moment to finish and commit; then cancel what is left. Work
        // that does not commit keeps its lease until it expires and is then run again elsewhere.
        var pending = _inFlight.Values.Select(e => e.Task).Where(t => t is not null).ToArray();
        var all = Task.WhenAll(pending!);
        if (await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(5), time)) != all)
        {
            await executions.CancelAsync();
            await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(5), time));
        }

        ClaimedWork[] released;
        lock (_released)
        {
            released = [.. _released];
        }

        if (released.Length > 0)
        {
            try
            {
                await store.ReleaseLeasesAsync(WorkerId, released);
            }
            catch (Exception ex)
            {
                // The leases then simply expire and the items are claimed again a little later.
                LogReleaseFailed(ex, released.Length);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Releasing {Count} leases at shutdown failed; they will expire instead.")]
    private partial void LogReleaseFailed(Exception exception, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Claiming work failed; retrying in {DelayMs} ms.")]
    private partial void LogClaimFailed(Exception exception, double delayMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Committing {Count} results failed (attempt {Attempt}); retrying.")]
    private partial void LogCommitFailed(Exception exception, int count, int attempt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Committing {Count} results failed repeatedly; their leases will expire and the work will run again.")]
    private partial void LogCommitAbandoned(Exception exception, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Extending leases failed.")]
    private partial void LogHeartbeatFailed(Exception exception);

    private sealed class InFlight(ClaimedWork work, CancellationTokenSource cancellation)
    {
        public ClaimedWork Work { get; } = work;

        public CancellationTokenSource Cancellation { get; } = cancellation;

        public Task? Task { get; set; }

        public volatile bool LeaseLost;
    }
}
