using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TaskFlow.Core.Activities;
using TaskFlow.Engine.Hosting;
using TaskFlow.Engine.Persistence;

namespace TaskFlow.Engine.Dispatch;

/// <summary>
/// One process's worker: a claim loop, activity executions that commit their results, and a heartbeat.
/// </summary>
/// <remarks>
/// - Claims take a batch of due items in one round trip and lease them.
/// - Results are committed in batches: one transaction per batch, however many nodes finish.
///   There is no commit thread: the execution that finishes while no commit is under way commits
///   what has finished by then, and goes on committing while more arrives; the others leave their
///   result to it.
/// - Successors made ready by a commit are kept by this worker when it has free slots, so a
///   chain runs without a claim round trip between steps; the rest wait in the queue. The
///   execution that committed runs the first successor itself once it has stopped committing, so a
///   chain step passes from one thread to another only where the database's reply arrives.
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
    private readonly ConcurrentQueue<Completion> _completions = new();
    private readonly ConcurrentDictionary<long, InFlight> _inFlight = new();
    private readonly WorkSignal _slotFreed = new();
    private readonly List<ClaimedWork> _released = [];
    private int _running;

    // 1 while an execution commits the finished results (see CommitFinishedAsync).
    private int _committing;

    // Set when the worker stops: commits then keep no successors, and runs start no more.
    private volatile bool _stopping;
    private CancellationToken _executionToken;

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
        _executionToken = executions.Token;
        var heartbeat = Task.Run(() => HeartbeatLoopAsync(stoppingToken), CancellationToken.None);
        try
        {
            await ClaimLoopAsync(stoppingToken);
        }
        finally
        {
            store.WorkAvailable -= signal.Set;
            store.WorkWithdrawn -= StopWithdrawn;
            _stopping = true;
            await DrainAsync(executions);
            await heartbeat.ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private async Task ClaimLoopAsync(CancellationToken stoppingToken)
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
                    Run(Track(work));
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

    /// <summary>Counts the item in flight, so heartbeats extend its lease and a withdrawal can stop it.</summary>
    private InFlight Track(ClaimedWork work)
    {
        var entry = new InFlight(work, CancellationTokenSource.CreateLinkedTokenSource(_executionToken));
        _inFlight[work.Id] = entry;
        Interlocked.Increment(ref _running);
        return entry;
    }

    private void Run(InFlight entry) => _ = Task.Run(() => ExecuteAsync(entry), CancellationToken.None);

    /// <summary>
    /// Runs the item, then the successor its commit handed back (when this execution made that
    /// commit), and so on: a chain stays on one thread for as long as each commit keeps a successor.
    /// </summary>
    private async Task ExecuteAsync(InFlight entry)
    {
        for (InFlight? next = entry; next is not null;)
        {
            if (!await ExecuteOneAsync(next))
            {
                return;
            }

            next = await CommitFinishedAsync();
        }
    }

    /// <returns>Whether there is a result to commit.</returns>
    private async Task<bool> ExecuteOneAsync(InFlight entry)
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
            return false;
        }
        catch (Exception ex)
        {
            result = ActivityResult.Failed($"{ex.GetType().Name}: {ex.Message}");
        }

        _completions.Enqueue(new Completion(entry.Work, result, time.GetUtcNow().ToUnixTimeMilliseconds()));
        return true;
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

    /// <summary>
    /// Commits the finished results in batches, unless another execution is doing so: then that one
    /// takes this result too. Returns a successor for the caller to run, when the last batch kept one
    /// and nothing else was waiting to be committed; the other successors run on their own.
    /// </summary>
    /// <remarks>
    /// Whoever adds a result tries to become the committer afterwards, and the committer looks for
    /// results again after it stops being one; both with a full fence (<see cref="Interlocked"/>), so
    /// a result is never left without a committer.
    /// </remarks>
    private async Task<InFlight?> CommitFinishedAsync()
    {
        if (InFlightCount > 1)
        {
            // Others are running, most likely queued on the thread pool right behind this one (a
            // fan-out's branches): letting them finish first makes one commit of them all.
            await Task.Yield();
        }

        InFlight? next = null;
        while (!_completions.IsEmpty && Interlocked.CompareExchange(ref _committing, 1, 0) == 0)
        {
            var batch = new List<Completion>();
            try
            {
                while (true)
                {
                    while (batch.Count < _options.CommitBatchSize && _completions.TryDequeue(out var completion))
                    {
                        batch.Add(completion);
                    }

                    if (batch.Count == 0)
                    {
                        break;
                    }

                    if (next is not null)
                    {
                        // More came while committing: the successor held back runs on its own.
                        Run(next);
                    }

                    next = await CommitAsync(batch);
                    batch.Clear();
                }
            }
            finally
            {
                Interlocked.Exchange(ref _committing, 0);
            }
        }

        return next;
    }

    /// <summary>Commits one batch and starts its kept successors but the first, which is returned.</summary>
    private async Task<InFlight?> CommitAsync(List<Completion> batch)
    {
        var kept = await CommitWithRetryAsync(batch);
        foreach (var done in batch)
        {
            if (_inFlight.TryRemove(done.Work.Id, out var entry))
            {
                entry.Cancellation.Dispose();
            }

            Interlocked.Decrement(ref _running);
        }

        InFlight? first = null;
        foreach (var work in kept)
        {
            var entry = Track(work);
            if (first is null)
            {
                first = entry;
            }
            else
            {
                Run(entry);
            }
        }

        _slotFreed.Set();
        return first;
    }

    private async Task<IReadOnlyList<ClaimedWork>> CommitWithRetryAsync(List<Completion> batch)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                // Capacity for successors: the slots free once this batch is done.
                var keep = _stopping ? 0 : Math.Max(0, _options.MaxConcurrency - (InFlightCount - batch.Count));
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
        if (!await AllDoneAsync(TimeSpan.FromSeconds(5)))
        {
            await executions.CancelAsync();
            await AllDoneAsync(TimeSpan.FromSeconds(5));
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

    /// <summary>Waits until nothing runs or waits for its commit, or the time is up.</summary>
    private async Task<bool> AllDoneAsync(TimeSpan limit)
    {
        var started = time.GetTimestamp();
        while (InFlightCount > 0)
        {
            if (time.GetElapsedTime(started) >= limit)
            {
                return false;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(10), time).ConfigureAwait(false);
        }

        return true;
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

        public volatile bool LeaseLost;
    }
}
