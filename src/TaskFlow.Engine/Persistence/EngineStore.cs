using System.Data.Common;
using System.Text.Json.Nodes;
using TaskFlow.Core.Activities;
using TaskFlow.Core.Graph;
using TaskFlow.Core.Model;
using TaskFlow.Core.Scheduling;
using TaskFlow.Core.Validation;

namespace TaskFlow.Engine.Persistence;

/// <summary>
/// The engine's transactional storage: claiming work, committing results, starting and cancelling
/// instances. The algorithms live here; each provider supplies the SQL primitives.
/// </summary>
/// <remarks>
/// Guarantees (see docs/guarantees.md):
/// - A completion commits in ONE transaction with the node's state change, its successors' work
///   items, the journal lines and the instance row, under the instance's row lock.
/// - A completion is accepted only if the work item still exists with the same claim count,
///   i.e. this worker still holds the lease. A result from a lost lease is dropped, so every
///   state transition happens exactly once, even though an activity may execute twice.
/// </remarks>
public abstract partial class EngineStore(GraphCache graphs, WorkflowLimits limits, TimeProvider time) : IAsyncDisposable
{
    protected GraphCache Graphs { get; } = graphs;

    protected WorkflowLimits Limits { get; } = limits;

    protected TimeProvider Time { get; } = time;

    /// <summary>Running instances' rows as this process last wrote them (see <see cref="CompleteGuardedAsync"/>).</summary>
    internal InstanceRowCache Rows { get; } = new();

    private long _guardedCommits;

    /// <summary>Commits this store made in one guarded round trip (see <see cref="CompleteGuardedAsync"/>).</summary>
    internal long GuardedCommits => Interlocked.Read(ref _guardedCommits);

    /// <summary>
    /// True when the provider can write a <see cref="CommitGuard"/>ed batch: check row versions and
    /// leases, write and commit, all in one round trip.
    /// </summary>
    protected internal virtual bool SupportsGuardedCommit => false;

    /// <summary>Set by the host to count committed transitions.</summary>
    public Diagnostics.EngineMetrics? Metrics { get; set; }

    /// <summary>Work items due now and not leased (for the queue-depth metric).</summary>
    public abstract Task<long> QueueDepthAsync(CancellationToken cancellationToken = default);

    /// <summary>Raised after a commit that finished instances (in this process).</summary>
    public event Action<IReadOnlyList<string>>? InstancesFinished;

    /// <summary>
    /// Raised after a commit that withdrew work (cancelled instance, failed instance, skipped
    /// branch): (instance, null) for a whole instance, (instance, node) for a node and its
    /// iterations. Workers of this process stop those executions at once instead of at their
    /// next heartbeat.
    /// </summary>
    public event Action<IReadOnlyList<(string InstanceId, string? NodeId)>>? WorkWithdrawn;

    /// <summary>Raised after a commit that queued work due now, to wake this process's workers at once.</summary>
    public event Action? WorkAvailable;

    /// <summary>The data an activity's templates read: instance input, variables, depth, and some node states.</summary>
    public abstract Task<InstanceScope?> LoadScopeAsync(string instanceId, IReadOnlyCollection<string> nodeIds, CancellationToken cancellationToken = default);

    public abstract ValueTask DisposeAsync();

    // ---- provider primitives -------------------------------------------------------------

    protected internal abstract Task<StoreSession> BeginAsync(CancellationToken cancellationToken);

    /// <summary>A write transaction whose clock reading is <paramref name="now"/> (a guarded commit computes its transition before it begins).</summary>
    protected internal virtual Task<StoreSession> BeginAsync(DateTimeOffset now, CancellationToken cancellationToken) => BeginAsync(cancellationToken);

    protected internal abstract Task<Dictionary<string, InstanceRecord>> LockInstancesAsync(StoreSession session, IReadOnlyCollection<string> instanceIds, CancellationToken cancellationToken);

    /// <summary>Deletes the items still held under the given leases; returns the ids deleted.</summary>
    protected internal abstract Task<HashSet<long>> DeleteLeasedAsync(StoreSession session, IReadOnlyList<ClaimedWork> items, CancellationToken cancellationToken);

    /// <summary>Both of the above; a provider may do them in one round trip.</summary>
    protected internal virtual async Task<(Dictionary<string, InstanceRecord> Instances, HashSet<long> Accepted)> LockAndDeleteLeasedAsync(StoreSession session, IReadOnlyCollection<string> instanceIds, IReadOnlyList<ClaimedWork> items, CancellationToken cancellationToken)
    {
        var instances = await LockInstancesAsync(session, instanceIds, cancellationToken);
        return (instances, await DeleteLeasedAsync(session, items, cancellationToken));
    }

    protected internal abstract Task<List<NodeStateRecord>> LoadStatesAsync(StoreSession session, string instanceId, IReadOnlyCollection<string> nodeIds, CancellationToken cancellationToken);

    /// <summary>Deletes queued work of an instance: all of it, or that of the given nodes and their foreach iterations.</summary>
    protected internal abstract Task DeleteWorkAsync(StoreSession session, string instanceId, IReadOnlyCollection<string>? nodeIds, CancellationToken cancellationToken);

    protected internal abstract Task<List<InstanceRecord>> RunningChildrenAsync(StoreSession session, string parentInstanceId, IReadOnlyCollection<string>? parentNodeIds, CancellationToken cancellationToken);

    /// <summary>Writes everything gathered; fills in the ids of new work items.</summary>
    protected internal abstract Task WriteAsync(StoreSession session, PendingWrites writes, CancellationToken cancellationToken);

    protected internal abstract Task<(string Id, int Version)?> InstanceDefinitionAsync(StoreSession session, string instanceId, CancellationToken cancellationToken);

    protected internal abstract Task<DefinitionRecord?> FindDefinitionAsync(StoreSession? session, string definitionId, int? version, CancellationToken cancellationToken);

    public abstract Task<IReadOnlyList<ClaimedWork>> ClaimAsync(string owner, int max, TimeSpan lease, CancellationToken cancellationToken = default);

    /// <summary>Extends the given leases; returns the ids still held (the others were lost or cancelled).</summary>
    public abstract Task<HashSet<long>> ExtendLeasesAsync(string owner, IReadOnlyList<ClaimedWork> items, TimeSpan lease, CancellationToken cancellationToken = default);

    /// <summary>Gives leases back unfinished (at shutdown) so any worker can claim the items at once.</summary>
    public abstract Task ReleaseLeasesAsync(string owner, IReadOnlyList<ClaimedWork> items, CancellationToken cancellationToken = default);

    /// <summary>When the next item becomes claimable (queued, due timer or expiring lease); null when the queue is empty.</summary>
    public abstract Task<DateTimeOffset?> NextVisibleAtAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Stores the next version of a definition; <paramref name="publish"/> makes it the published one.
    /// <paramref name="check"/>, when given, runs inside the transaction once the routes are locked
    /// (see <see cref="LockRoutesAsync"/>), and a throw from it stores nothing.
    /// </summary>
    public abstract Task<DefinitionRecord> InsertDefinitionAsync(string definitionId, string? name, bool publish, Func<int, string> jsonForVersion, CancellationToken cancellationToken = default, Func<CancellationToken, Task>? check = null);

    /// <summary>
    /// Makes one stored version the published one. False when that version is not stored (or deleted).
    /// <paramref name="check"/> runs first, in the transaction, as for <see cref="InsertDefinitionAsync"/>.
    /// </summary>
    public async Task<bool> PublishDefinitionAsync(string definitionId, int version, CancellationToken cancellationToken = default, Func<CancellationToken, Task>? check = null)
    {
        await using var session = await BeginAsync(cancellationToken);
        if (check is not null)
        {
            await LockRoutesAsync(session, cancellationToken);
            await check(cancellationToken);
        }

        await using var command = session.Command($"UPDATE {StoreSchema.Definitions.Table} SET is_published = (version = @v) WHERE definition_id = @id AND NOT is_deleted AND (SELECT count(*) FROM {StoreSchema.Definitions.Table} WHERE definition_id = @id AND version = @v AND NOT is_deleted) = 1");
        AddParameter(command, "id", definitionId);
        AddParameter(command, "v", version);
        var changed = await command.ExecuteNonQueryAsync(cancellationToken);
        await session.CommitAsync(false, cancellationToken);
        return changed > 0;
    }

    /// <summary>
    /// Serialises the saves that publish HTTP routes, across processes, until the transaction ends, so
    /// that a route check made after it sees every route published before: two servers publishing the
    /// same route at once cannot both pass. SQLite's write transaction already serialises them.
    /// </summary>
    protected internal virtual Task LockRoutesAsync(StoreSession session, CancellationToken cancellationToken) => Task.CompletedTask;

    protected static async Task UnpublishAsync(StoreSession session, string definitionId, CancellationToken cancellationToken)
    {
        await using var command = session.Command($"UPDATE {StoreSchema.Definitions.Table} SET is_published = (1 = 0) WHERE definition_id = @id AND is_published");
        AddParameter(command, "id", definitionId);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    protected static void AddParameter(System.Data.Common.DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
    }

    /// <summary>Deletes finished instances (with their states, journal and work) that finished before the cutoff.</summary>
    public abstract Task<int> PurgeFinishedAsync(DateTimeOffset finishedBefore, CancellationToken cancellationToken = default);

    public Task<DefinitionRecord?> GetDefinitionAsync(string definitionId, int? version = null, CancellationToken cancellationToken = default) =>
        FindDefinitionAsync(null, definitionId, version, cancellationToken);

    // ---- algorithms ----------------------------------------------------------------------

    /// <summary>Creates an instance and schedules its start nodes in one transaction.</summary>
    public async Task<string> StartInstanceAsync(WorkflowGraph graph, JsonObject input, CancellationToken cancellationToken = default) =>
        (await StartInstanceAsync(graph, input, startKey: null, cancellationToken)).InstanceId;

    /// <summary>
    /// Creates an instance and schedules its start nodes in one transaction. With a
    /// <paramref name="startKey"/>, at most one instance is ever started for that key, across
    /// every process sharing the database: a second start returns the first one's id with Created false.
    /// </summary>
    public Task<(string InstanceId, bool Created)> StartInstanceAsync(WorkflowGraph graph, JsonObject input, string? startKey, CancellationToken cancellationToken = default) =>
        StartInstanceAsync(graph, input, startKey, correlationId: null, traceParent: null, cancellationToken);

    /// <summary>
    /// As above, storing <paramref name="correlationId"/> and the W3C <paramref name="traceParent"/>
    /// of the instance's root span on the new instance in the same transaction.
    /// </summary>
    public async Task<(string InstanceId, bool Created)> StartInstanceAsync(WorkflowGraph graph, JsonObject input, string? startKey, string? correlationId, string? traceParent, CancellationToken cancellationToken = default)
    {
        await using var session = await BeginAsync(cancellationToken);
        var id = Guid.CreateVersion7().ToString();
        if (startKey is not null)
        {
            // The key's row is taken first: a concurrent start with the same key waits on it and
            // then finds it taken. Both providers treat the conflict as "do nothing".
            await using var claim = session.Command($"INSERT INTO {StoreSchema.StartKeys.Table} ({StoreSchema.StartKeys.Columns}) VALUES (@k, @i, @t) ON CONFLICT (start_key) DO NOTHING");
            AddParameter(claim, "k", startKey);
            AddParameter(claim, "i", id);
            AddParameter(claim, "t", session.Now.ToUnixTimeMilliseconds());
            if (await claim.ExecuteNonQueryAsync(cancellationToken) == 0)
            {
                await using var existing = session.Command($"SELECT instance_id FROM {StoreSchema.StartKeys.Table} WHERE start_key = @k");
                AddParameter(existing, "k", startKey);
                return ((string)(await existing.ExecuteScalarAsync(cancellationToken))!, false);
            }
        }

        var writes = new PendingWrites();
        CreateInstance(graph, input, depth: 0, parent: null, writes, session.Now, id);
        await WriteAsync(session, writes, cancellationToken);
        if (correlationId is not null || traceParent is not null)
        {
            // Set apart from the hot-path insert, which writes the same columns for every instance.
            await using var correlate = session.Command($"UPDATE {StoreSchema.Instances.Table} SET correlation_id = @c, trace_parent = @t WHERE id = @i");
            AddParameter(correlate, "c", correlationId);
            AddParameter(correlate, "t", traceParent);
            AddParameter(correlate, "i", id);
            await correlate.ExecuteNonQueryAsync(cancellationToken);
        }

        await session.CommitAsync(writes.HasVisibleWork && !writes.NotifyQueued, cancellationToken);
        Rows.Remember(writes, carryStates: false);
        RaiseWork(writes);
        return (id, true);
    }

    /// <summary>
    /// Reopens a failed instance at a failed node (see <see cref="InstanceTransition.Retry"/>).
    /// Found is false for an unknown instance; Refusal says why a retry was refused, and is null when it was done.
    /// </summary>
    public async Task<(bool Found, string? Refusal)> RetryNodeAsync(string instanceId, string nodeId, CancellationToken cancellationToken = default)
    {
        // Kept events are matched after the retry's session is closed: SQLite has one session at a time.
        var earlierWaits = new List<string>();
        var result = await RetryNodeCoreAsync(instanceId, nodeId, earlierWaits, cancellationToken);
        await TakeKeptEventsAsync(earlierWaits, cancellationToken);
        return result;
    }

    private async Task<(bool Found, string? Refusal)> RetryNodeCoreAsync(string instanceId, string nodeId, List<string> earlierWaits, CancellationToken cancellationToken)
    {
        await using var session = await BeginAsync(cancellationToken);
        var instances = await LockInstancesAsync(session, [instanceId], cancellationToken);
        if (!instances.TryGetValue(instanceId, out var instance))
        {
            return (false, null);
        }

        if (instance.ParentInstanceId is not null)
        {
            // The parent has already taken this child's failure; a retried child would report to nobody.
            return (true, $"Instance {instanceId} is a child of instance {instance.ParentInstanceId} (node '{instance.ParentNodeId}'); retry that node in the parent, which starts a new child.");
        }

        var graph = await Graphs.GetAsync(this, session, instance.DefinitionId, instance.DefinitionVersion, cancellationToken);
        var transition = new InstanceTransition(graph, ToSnapshot(instance), session.Now, Limits);
        foreach (var state in await LoadStatesAsync(session, instanceId, [], cancellationToken))
        {
            transition.Load(ToState(state));
        }

        if (transition.Retry(nodeId) is { } refusal)
        {
            return (true, refusal);
        }

        var writes = new PendingWrites();
        await ApplyEffectsAsync(session, instance, graph, transition, writes, null, [], cancellationToken);
        instance.Error = null;
        instance.Output = null;
        instance.FinishedAt = null;
        await WriteAsync(session, writes, cancellationToken);
        await InheritCorrelationsAsync(session, writes, cancellationToken);
        await session.CommitAsync(writes.HasVisibleWork && !writes.NotifyQueued, cancellationToken);
        RaiseWork(writes);
        earlierWaits.AddRange(writes.EarlierWaits);
        return (true, null);
    }

    /// <summary>
    /// Commits a batch of results in ONE transaction. Returns the successor items this worker
    /// kept for itself (at most <paramref name="keepForSelf"/>), already leased to <paramref name="owner"/>.
    /// </summary>
    public Task<IReadOnlyList<ClaimedWork>> CompleteAsync(IReadOnlyList<Completion> batch, string owner, int keepForSelf, TimeSpan lease, CancellationToken cancellationToken = default) =>
        CompleteAsync(batch, owner, keepForSelf, lease, inline: null, cancellationToken);

    /// <summary>
    /// As above; with <paramref name="inline"/>, the pure steps the batch makes due run inside the
    /// same commit (see <see cref="RunInlineAsync"/>): their start and end are journaled and committed
    /// with the results that readied them, and only what is left is queued.
    /// </summary>
    public Task<IReadOnlyList<ClaimedWork>> CompleteAsync(IReadOnlyList<Completion> batch, string owner, int keepForSelf, TimeSpan lease, IInlineStepRunner? inline, CancellationToken cancellationToken = default) =>
        CompleteAsync(batch, owner, keepForSelf, lease, inline, claimDue: true, cancellationToken);

    /// <summary>
    /// As above; <paramref name="claimDue"/> false leaves out the claim of other due work that fills
    /// the capacity the successors leave (the caller knows the queue had none a moment ago, and
    /// nothing was announced since): the commit keeps its successors and claims nothing else.
    /// </summary>
    public async Task<IReadOnlyList<ClaimedWork>> CompleteAsync(IReadOnlyList<Completion> batch, string owner, int keepForSelf, TimeSpan lease, IInlineStepRunner? inline, bool claimDue, CancellationToken cancellationToken = default)
    {
        // Kept events are matched after the commit's session is closed: SQLite has one session at a time.
        var earlierWaits = new List<string>();
        var claimed = await CompleteCoreAsync(batch, owner, keepForSelf, lease, inline, claimDue, earlierWaits, cancellationToken);
        await TakeKeptEventsAsync(earlierWaits, cancellationToken);
        return claimed;
    }

    private async Task<IReadOnlyList<ClaimedWork>> CompleteCoreAsync(IReadOnlyList<Completion> batch, string owner, int keepForSelf, TimeSpan lease, IInlineStepRunner? inline, bool claimDue, List<string> earlierWaits, CancellationToken cancellationToken)
    {
        if (SupportsGuardedCommit && await CompleteGuardedAsync(batch, owner, keepForSelf, lease, inline, claimDue, cancellationToken) is { } done)
        {
            return done;
        }

        var budget = inline is null ? null : new InlineBudget(inline);

        await using var session = await BeginAsync(cancellationToken);
        var (instances, accepted) = await LockAndDeleteLeasedAsync(session, batch.Select(c => c.Work.InstanceId).Distinct().ToArray(), batch.Select(c => c.Work).ToArray(), cancellationToken);
        var writes = new PendingWrites();
        var finished = new List<string>();
        foreach (var group in batch.Where(c => accepted.Contains(c.Work.Id)).GroupBy(c => c.Work.InstanceId))
        {
            if (!instances.TryGetValue(group.Key, out var instance) || instance.Status != (int)InstanceStatus.Running)
            {
                continue;
            }

            var graph = await Graphs.GetAsync(this, session, instance.DefinitionId, instance.DefinitionVersion, cancellationToken);
            var transition = new InstanceTransition(graph, ToSnapshot(instance), session.Now, Limits);
            foreach (var completion in group)
            {
                transition.Apply(completion.Work.NodeId, completion.Work.Attempt, completion.Result);
            }

            await RunAsync(session, transition, cancellationToken);
            if (inline is not null)
            {
                await RunInlineAsync(transition, instance, inline, budget!, async ids =>
                {
                    await LoadIntoAsync(session, transition, ids, cancellationToken);
                    return true;
                }, cancellationToken);
            }

            await ApplyEffectsAsync(session, instance, graph, transition, writes, owner, finished, cancellationToken);
        }

        var kept = KeepForSelf(writes, owner, keepForSelf, session.Now, lease);
        if (claimDue && kept < keepForSelf && !writes.HasVisibleWork)
        {
            // Capacity is left and this commit queued nothing for others: claim due work in the
            // same transaction, saving the worker a separate claim round trip.
            writes.ClaimUpTo = keepForSelf - kept;
            writes.ClaimOwner = owner;
            writes.ClaimLease = lease;
        }

        await WriteAsync(session, writes, cancellationToken);
        await InheritCorrelationsAsync(session, writes, cancellationToken);
        await session.CommitAsync(writes.HasVisibleWork && !writes.NotifyQueued, cancellationToken);
        Rows.Remember(writes, carryStates: false);
        RaiseWork(writes);
        earlierWaits.AddRange(writes.EarlierWaits);
        if (finished.Count > 0)
        {
            InstancesFinished?.Invoke(finished);
        }

        return [.. Kept(writes, owner), .. writes.Claimed];
    }

    /// <summary>
    /// The one-round-trip commit: when every instance of the batch is in <see cref="Rows"/> and its
    /// transition needs no stored state but what is cached with it, and touches nothing beyond the instance (no waits, no
    /// children, no cancelled branches, no parent to resume), the transition is computed from the
    /// cached row and sent with its checks as one batch that also commits. Null when it does not
    /// apply or a check failed: then nothing was written and the ordinary commit runs.
    /// </summary>
    /// <remarks>
    /// The guarantees are the ordinary commit's: the batch locks the instance rows in id order and
    /// checks that each is still at the version this process wrote (so the transition was computed
    /// from the current row), and deletes the finished items only under their leases; if either
    /// check fails, the provider aborts the transaction before anything is written.
    /// </remarks>
    private async Task<IReadOnlyList<ClaimedWork>?> CompleteGuardedAsync(IReadOnlyList<Completion> batch, string owner, int keepForSelf, TimeSpan lease, IInlineStepRunner? inline, bool claimDue, CancellationToken cancellationToken)
    {
        var planned = new List<(InstanceRecord Instance, long Version, WorkflowGraph Graph, InstanceTransition Transition)>();
        var now = Time.GetUtcNow();
        var budget = inline is null ? null : new InlineBudget(inline);
        foreach (var group in batch.GroupBy(c => c.Work.InstanceId))
        {
            if (!Rows.TryGet(group.Key, out var instance, out var states) || !Graphs.TryGet(instance.DefinitionId, instance.DefinitionVersion, out var graph) || CanWaitForEvents(graph))
            {
                return null;
            }

            var transition = new InstanceTransition(graph, ToSnapshot(instance), now, Limits);
            foreach (var completion in group)
            {
                transition.Apply(completion.Work.NodeId, completion.Work.Attempt, completion.Result);
            }

            // Stored state comes from the cache only: a node it does not hold means the ordinary commit.
            bool FromCache(IReadOnlyCollection<string> nodeIds)
            {
                foreach (var nodeId in nodeIds)
                {
                    if (!states.TryGetValue(nodeId, out var record))
                    {
                        return false;
                    }

                    transition.Load(ToState(record));
                }

                return true;
            }

            for (var missing = transition.Run(); missing.Count > 0; missing = transition.Run())
            {
                if (!FromCache(missing))
                {
                    return null;
                }
            }

            // Steps run here, before the transaction begins, hold no lock while they run. If the
            // commit falls back to the ordinary one, they run again there (they are pure).
            if (inline is not null && !await RunInlineAsync(transition, instance, inline, budget!, ids => Task.FromResult(FromCache(ids)), cancellationToken))
            {
                return null;
            }

            if (transition.CancelledNodes.Count > 0 || transition.Children.Count > 0 ||
                (transition.Finished is { } outcome && (outcome.Status != InstanceStatus.Succeeded || instance.ParentInstanceId is not null)))
            {
                return null;
            }

            planned.Add((instance, instance.RowVersion, graph, transition));
        }

        await using var session = await BeginAsync(now, cancellationToken);
        var writes = new PendingWrites();
        var finished = new List<string>();
        foreach (var (instance, _, graph, transition) in planned)
        {
            // With the checks above this reads nothing: it only gathers the writes.
            await ApplyEffectsAsync(session, instance, graph, transition, writes, owner, finished, cancellationToken);
        }

        var kept = KeepForSelf(writes, owner, keepForSelf, session.Now, lease);
        if (claimDue && kept < keepForSelf && !writes.HasVisibleWork)
        {
            writes.ClaimUpTo = keepForSelf - kept;
            writes.ClaimOwner = owner;
            writes.ClaimLease = lease;
        }

        writes.Guard = new CommitGuard { Instances = [.. planned.Select(p => (p.Instance.Id, p.Version))], Items = [.. batch.Select(c => c.Work)] };
        await WriteAsync(session, writes, cancellationToken);
        if (writes.GuardFailed)
        {
            foreach (var (instance, _, _, _) in planned)
            {
                Rows.MarkContended(instance.Id);
            }

            return null;
        }

        await session.CommitAsync(writes.HasVisibleWork && !writes.NotifyQueued, cancellationToken);
        Rows.Remember(writes, carryStates: true);
        Interlocked.Increment(ref _guardedCommits);
        RaiseWork(writes);
        if (finished.Count > 0)
        {
            InstancesFinished?.Invoke(finished);
        }

        return [.. Kept(writes, owner), .. writes.Claimed];
    }

    /// <summary>Cancels a running instance, its queued work and its running children. Returns false when it was not running.</summary>
    public async Task<bool> CancelInstanceAsync(string instanceId, string reason, CancellationToken cancellationToken = default)
    {
        await using var session = await BeginAsync(cancellationToken);
        var instances = await LockInstancesAsync(session, [instanceId], cancellationToken);
        if (!instances.TryGetValue(instanceId, out var instance) || instance.Status != (int)InstanceStatus.Running)
        {
            return false;
        }

        var writes = new PendingWrites();
        await CancelTreeAsync(session, instance, reason, writes, reportToParent: true, cancellationToken);
        await WriteAsync(session, writes, cancellationToken);
        await session.CommitAsync(writes.HasVisibleWork && !writes.NotifyQueued, cancellationToken);
        RaiseWork(writes);
        InstancesFinished?.Invoke([instanceId]);
        return true;
    }

    /// <summary>
    /// Gives the children this transaction started their parent's correlation id, when the parent has
    /// one: a run and everything it starts are found under the caller's id. Set apart from the insert
    /// (as at the start of an instance), so that the hot path writes no correlation.
    /// </summary>
    private static async Task InheritCorrelationsAsync(StoreSession session, PendingWrites writes, CancellationToken cancellationToken)
    {
        foreach (var (_, childId, own) in writes.ChildCorrelations.Where(c => c.Own is not null))
        {
            await using var set = session.Command($"UPDATE {StoreSchema.Instances.Table} SET correlation_id = @c WHERE id = @i");
            AddParameter(set, "c", own);
            AddParameter(set, "i", childId);
            await set.ExecuteNonQueryAsync(cancellationToken);
        }

        foreach (var family in writes.ChildCorrelations.Where(c => c.Own is null).GroupBy(c => c.ParentId, StringComparer.Ordinal))
        {
            foreach (var chunk in family.Select(c => c.ChildId).Chunk(500))
            {
                var names = string.Join(", ", chunk.Select((_, i) => $"@c{i}"));
                await using var inherit = session.Command(
                    $"UPDATE {StoreSchema.Instances.Table} SET correlation_id = (SELECT p.correlation_id FROM {StoreSchema.Instances.Table} p WHERE p.id = @p) " +
                    $"WHERE id IN ({names}) AND EXISTS (SELECT 1 FROM {StoreSchema.Instances.Table} p WHERE p.id = @p AND p.correlation_id IS NOT NULL)");
                AddParameter(inherit, "p", family.Key);
                for (var i = 0; i < chunk.Length; i++)
                {
                    AddParameter(inherit, $"c{i}", chunk[i]);
                }

                await inherit.ExecuteNonQueryAsync(cancellationToken);
            }
        }
    }

    private void RaiseWork(PendingWrites writes)
    {
        if (Metrics is { } metrics)
        {
            if (writes.NewInstances.Count > 0)
            {
                metrics.InstancesStarted.Add(writes.NewInstances.Count);
            }

            foreach (var finished in writes.ChangedInstances.Where(i => i.Status != (int)InstanceStatus.Running).DistinctBy(i => i.Id))
            {
                metrics.RecordFinished((InstanceStatus)finished.Status);
            }
        }

        if (writes.HasVisibleWork)
        {
            WorkAvailable?.Invoke();
        }

        if (writes.Withdrawn.Count > 0)
        {
            WorkWithdrawn?.Invoke(writes.Withdrawn);
        }
    }

    private async Task RunAsync(StoreSession session, InstanceTransition transition, CancellationToken cancellationToken)
    {
        while (true)
        {
            var missing = transition.Run();
            if (missing.Count == 0)
            {
                return;
            }

            await LoadIntoAsync(session, transition, missing, cancellationToken);
        }
    }

    /// <summary>Loads stored node states into the transition; a node with none stored gets a fresh (pending) state.</summary>
    private async Task LoadIntoAsync(StoreSession session, InstanceTransition transition, IReadOnlyCollection<string> nodeIds, CancellationToken cancellationToken)
    {
        var found = (await LoadStatesAsync(session, transition.Instance.Id, nodeIds, cancellationToken)).ToDictionary(r => r.NodeId, StringComparer.Ordinal);
        foreach (var nodeId in nodeIds)
        {
            transition.Load(found.TryGetValue(nodeId, out var record) ? ToState(record) : new NodeState(nodeId));
        }
    }

    private async Task ApplyEffectsAsync(StoreSession session, InstanceRecord instance, WorkflowGraph graph, InstanceTransition transition, PendingWrites writes, string? worker, List<string> finished, CancellationToken cancellationToken)
    {
        var now = session.Now.ToUnixTimeMilliseconds();
        foreach (var state in transition.States.Values.Where(s => s.IsDirty))
        {
            writes.States.Add(ToRecord(instance.Id, state));
        }

        foreach (var work in transition.Work)
        {
            AddWork(writes, instance.Id, graph, work, session.Now);
        }

        foreach (var entry in transition.Journal)
        {
            writes.AddJournal(instance.Id, entry, worker);
        }

        if (CanWaitForEvents(graph))
        {
            // A node that left the waiting state (resumed, timed out, cancelled, skipped) takes its subscription with it.
            await DeleteWaitsAsync(session, instance.Id, transition.States.Values.Where(s => s.IsDirty && s.Status != NodeStatus.Waiting).Select(s => s.NodeId).ToArray(), cancellationToken);
            await InsertWaitsAsync(session, instance.Id, graph, transition.Waits, writes, cancellationToken);
        }

        if (transition.CancelledNodes.Count > 0)
        {
            writes.Withdrawn.AddRange(transition.CancelledNodes.Select(n => (instance.Id, (string?)n)));
            await DeleteWorkAsync(session, instance.Id, transition.CancelledNodes, cancellationToken);
            foreach (var child in await RunningChildrenAsync(session, instance.Id, transition.CancelledNodes, cancellationToken))
            {
                await CancelTreeAsync(session, child, $"Its parent node '{child.ParentNodeId}' was cancelled.", writes, reportToParent: false, cancellationToken);
            }
        }

        foreach (var child in transition.Children)
        {
            var childGraph = await Graphs.GetAsync(this, session, child.DefinitionId, child.Version, cancellationToken);
            var childId = CreateInstance(childGraph, child.Input, instance.Depth + 1, child.DispatchedId is null ? (instance.Id, child.ParentNodeId, child.ParentAttempt) : null, writes, session.Now, child.DispatchedId);
            writes.ChildCorrelations.Add((instance.Id, childId, child.CorrelationId));
        }

        instance.Status = (int)transition.Instance.Status;
        instance.ActiveNodes = transition.Instance.ActiveNodes;
        instance.UpdatedAt = now;
        if (transition.Instance.VariablesChanged)
        {
            instance.Variables = transition.Instance.Variables.ToJsonString();
        }

        if (transition.Finished is { } outcome)
        {
            instance.Output = outcome.Output?.ToJsonString();
            instance.Error = outcome.Error;
            instance.FinishedAt = now;
            finished.Add(instance.Id);
            if (outcome.Status != InstanceStatus.Succeeded)
            {
                writes.Withdrawn.Add((instance.Id, null));
                await DeleteWorkAsync(session, instance.Id, null, cancellationToken);
                await DeleteWaitsAsync(session, instance.Id, null, cancellationToken);
                foreach (var child in await RunningChildrenAsync(session, instance.Id, null, cancellationToken))
                {
                    await CancelTreeAsync(session, child, "Its parent instance failed.", writes, reportToParent: false, cancellationToken);
                }
            }

            await ResumeParentAsync(session, instance, outcome, writes, cancellationToken);
        }

        writes.ChangedInstances.Add(instance);
    }

    private string CreateInstance(WorkflowGraph graph, JsonObject input, int depth, (string Id, string NodeId, int Attempt)? parent, PendingWrites writes, DateTimeOffset now, string? id = null)
    {
        var record = new InstanceRecord
        {
            Id = id ?? Guid.CreateVersion7().ToString(),
            DefinitionId = graph.Id,
            DefinitionVersion = graph.Version,
            Depth = depth,
            ParentInstanceId = parent?.Id,
            ParentNodeId = parent?.NodeId,
            ParentAttempt = parent?.Attempt ?? 0,
            Input = input.ToJsonString(),
            Variables = new JsonObject(graph.Definition.Variables.Select(v => KeyValuePair.Create(v.Key, v.Value?.DeepClone()))).ToJsonString(),
            CreatedAt = now.ToUnixTimeMilliseconds(),
            UpdatedAt = now.ToUnixTimeMilliseconds(),
        };
        var transition = new InstanceTransition(graph, ToSnapshot(record), now, Limits, statesAreNew: true);
        transition.Start();
        if (transition.Run().Count > 0)
        {
            throw new InvalidOperationException("A new instance asked for stored state; this is a bug in the scheduler.");
        }

        record.Status = (int)transition.Instance.Status;
        record.ActiveNodes = transition.Instance.ActiveNodes;
        foreach (var state in transition.States.Values.Where(s => s.IsDirty))
        {
            writes.States.Add(ToRecord(record.Id, state));
        }

        foreach (var work in transition.Work)
        {
            AddWork(writes, record.Id, graph, work, now);
        }

        foreach (var entry in transition.Journal)
        {
            writes.AddJournal(record.Id, entry, null);
        }

        writes.NewInstances.Add(record);
        return record.Id;
    }

    private async Task CancelTreeAsync(StoreSession session, InstanceRecord instance, string reason, PendingWrites writes, bool reportToParent, CancellationToken cancellationToken)
    {
        var now = session.Now;
        writes.Withdrawn.Add((instance.Id, null));
        await DeleteWorkAsync(session, instance.Id, null, cancellationToken);
        await DeleteWaitsAsync(session, instance.Id, null, cancellationToken);
        var states = await LoadStatesAsync(session, instance.Id, [], cancellationToken);
        foreach (var state in states.Where(s => s.Status is (int)NodeStatus.Pending or (int)NodeStatus.Scheduled or (int)NodeStatus.Running or (int)NodeStatus.Waiting))
        {
            state.Status = (int)NodeStatus.Cancelled;
            state.FinishedAt = now.ToUnixTimeMilliseconds();
            writes.States.Add(state);
            writes.AddJournal(instance.Id, new JournalEntry(JournalEventType.NodeCancelled, state.NodeId, state.Attempt, now, reason), null);
        }

        instance.Status = (int)InstanceStatus.Cancelled;
        instance.Error = reason;
        instance.ActiveNodes = 0;
        instance.FinishedAt = instance.UpdatedAt = now.ToUnixTimeMilliseconds();
        writes.ChangedInstances.Add(instance);
        writes.AddJournal(instance.Id, new JournalEntry(JournalEventType.InstanceCancelled, null, 0, now, reason), null);
        foreach (var child in await RunningChildrenAsync(session, instance.Id, null, cancellationToken))
        {
            await CancelTreeAsync(session, child, "Its parent instance was cancelled.", writes, reportToParent: false, cancellationToken);
        }

        if (reportToParent)
        {
            await ResumeParentAsync(session, instance, new InstanceOutcome(InstanceStatus.Cancelled, null, reason), writes, cancellationToken);
        }
    }

    private async Task ResumeParentAsync(StoreSession session, InstanceRecord child, InstanceOutcome outcome, PendingWrites writes, CancellationToken cancellationToken)
    {
        if (child.ParentInstanceId is null || child.ParentNodeId is null)
        {
            return;
        }

        var parentDefinition = await InstanceDefinitionAsync(session, child.ParentInstanceId, cancellationToken);
        if (parentDefinition is null)
        {
            return;
        }

        // The parent's node is resumed through the queue rather than in this transaction, so a
        // child never takes its parent's lock and lock order stays parent-before-child.
        var payload = new JsonObject
        {
            ["instanceId"] = child.Id,
            ["status"] = outcome.Status.ToString(),
            ["output"] = outcome.Output?.DeepClone(),
            ["error"] = outcome.Error,
        };
        writes.Work.Add(new NewWork
        {
            Record = new WorkItemRecord
            {
                InstanceId = child.ParentInstanceId,
                NodeId = child.ParentNodeId,
                Attempt = child.ParentAttempt,
                Priority = 100,
                VisibleAt = session.Now.ToUnixTimeMilliseconds(),
                Resume = true,
                Payload = payload.ToJsonString(),
                DefinitionId = parentDefinition.Value.Id,
                DefinitionVersion = parentDefinition.Value.Version,
            },
        });
        writes.HasVisibleWork = true;
    }

    private static void AddWork(PendingWrites writes, string instanceId, WorkflowGraph graph, WorkRequest work, DateTimeOffset now)
    {
        writes.Work.Add(new NewWork
        {
            Record = new WorkItemRecord
            {
                InstanceId = instanceId,
                NodeId = work.NodeId,
                Attempt = work.Attempt,
                Priority = work.Priority,
                VisibleAt = work.VisibleAt.ToUnixTimeMilliseconds(),
                Resume = work.Resume,
                Payload = work.Payload?.ToJsonString(),
                DefinitionId = graph.Id,
                DefinitionVersion = graph.Version,
            },
        });
        writes.HasVisibleWork = true;
    }

    private static int KeepForSelf(PendingWrites writes, string owner, int capacity, DateTimeOffset now, TimeSpan lease)
    {
        // Successors due now go straight to the worker that made them ready, skipping a claim
        // round trip; the rest stay in the queue for any worker. A kept item is an ordinary
        // lease, so if this worker dies the item is re-claimed like any other.
        var kept = 0;
        var nowMs = now.ToUnixTimeMilliseconds();
        var leaseUntil = (now + lease).ToUnixTimeMilliseconds();
        var visibleLeft = false;
        foreach (var work in writes.Work)
        {
            if (work.Record.VisibleAt > nowMs)
            {
                continue;
            }

            if (kept >= capacity)
            {
                visibleLeft = true;
                continue;
            }

            work.Owner = owner;
            work.Record.Owner = owner;
            work.Record.Claims = 1;
            work.Record.VisibleAt = leaseUntil;
            kept++;
            writes.Journal.Add(new JournalRecord { InstanceId = work.Record.InstanceId, NodeId = work.Record.NodeId, Type = (int)JournalEventType.NodeStarted, Attempt = work.Record.Attempt, At = nowMs, Worker = owner });
        }

        // Wake the workers for anything left in the queue, due now or later: a sleeping worker
        // recomputes its wait, so a timer or retry due before its next wake-up is not missed.
        writes.HasVisibleWork = visibleLeft || writes.Work.Any(w => w.Owner is null);
        return kept;
    }

    /// <summary>After <see cref="WriteAsync"/> filled in ids, the items kept by <paramref name="owner"/>.</summary>
    internal static IReadOnlyList<ClaimedWork> Kept(PendingWrites writes, string owner) =>
        writes.Work.Where(w => w.Owner == owner).Select(w => ToClaimed(w.Record)).ToArray();

    internal static ClaimedWork ToClaimed(WorkItemRecord r) =>
        new(r.Id, r.Claims, r.InstanceId, r.NodeId, r.Attempt, r.Resume, r.Payload, r.DefinitionId, r.DefinitionVersion, r.Priority);

    private static InstanceSnapshot ToSnapshot(InstanceRecord record) => new()
    {
        Id = record.Id,
        Status = (InstanceStatus)record.Status,
        ActiveNodes = record.ActiveNodes,
        Depth = record.Depth,
        Input = JsonNode.Parse(record.Input) as JsonObject ?? [],
        Variables = JsonNode.Parse(record.Variables) as JsonObject ?? [],
    };

    internal static NodeState ToState(NodeStateRecord r) => new(r.NodeId)
    {
        Status = (NodeStatus)r.Status,
        Attempt = r.Attempt,
        Arrived = r.Arrived,
        Dead = r.Dead,
        ItemsTotal = r.ItemsTotal,
        ItemsStarted = r.ItemsStarted,
        ItemsDone = r.ItemsDone,
        Output = r.Output is null ? null : JsonNode.Parse(r.Output),
        Error = r.Error,
        Data = r.Data is null ? null : JsonNode.Parse(r.Data),
        FinishedAt = r.FinishedAt is { } f ? DateTimeOffset.FromUnixTimeMilliseconds(f) : null,
        IsNew = false,
    };

    private static NodeStateRecord ToRecord(string instanceId, NodeState s) => new()
    {
        InstanceId = instanceId,
        NodeId = s.NodeId,
        Status = (int)s.Status,
        Attempt = s.Attempt,
        Arrived = s.Arrived,
        Dead = s.Dead,
        ItemsTotal = s.ItemsTotal,
        ItemsStarted = s.ItemsStarted,
        ItemsDone = s.ItemsDone,
        Output = s.Output?.ToJsonString(),
        Error = s.Error,
        Data = s.Data?.ToJsonString(),
        FinishedAt = s.FinishedAt?.ToUnixTimeMilliseconds(),
    };
}
