using System.Data;
using Npgsql;
using NpgsqlTypes;
using TaskFlow.Core.Scheduling;
using TaskFlow.Core.Validation;

namespace TaskFlow.Engine.Persistence;

/// <summary>
/// PostgreSQL: row locks order concurrent commits per instance, <c>FOR UPDATE SKIP LOCKED</c>
/// lets any number of workers claim without blocking each other, array parameters write a whole
/// batch in one round trip, and <c>NOTIFY</c> wakes the other processes when work appears.
/// </summary>
public sealed class PostgresEngineStore(NpgsqlDataSource dataSource, GraphCache graphs, WorkflowLimits limits, TimeProvider time)
    : EngineStore(graphs, limits, time)
{
    public const string Channel = "taskflow_work";


    public NpgsqlDataSource DataSource { get; } = dataSource;

    public override ValueTask DisposeAsync() => ValueTask.CompletedTask;

    protected internal override Task<StoreSession> BeginAsync(CancellationToken cancellationToken) => BeginAsync(Time.GetUtcNow(), cancellationToken);

    protected internal override async Task<StoreSession> BeginAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);
        return new PostgresSession(connection, transaction, now);
    }

    protected internal override bool SupportsGuardedCommit => true;

    protected internal override async Task<Dictionary<string, InstanceRecord>> LockInstancesAsync(StoreSession session, IReadOnlyCollection<string> instanceIds, CancellationToken cancellationToken)
    {
        // Sorted ids give every transaction the same lock order, so two commits cannot deadlock.
        await using var command = Cmd(session, $"SELECT {StoreSchema.Instances.Columns} FROM {StoreSchema.Instances.Table} WHERE id = ANY(@ids) ORDER BY id FOR UPDATE");
        command.Parameters.Add(new NpgsqlParameter<string[]>("ids", instanceIds.ToArray()));
        return (await command.ReadAllAsync(SqlReaders.Instance, cancellationToken)).ToDictionary(r => r.Id, StringComparer.Ordinal);
    }

    protected internal override async Task<HashSet<long>> DeleteLeasedAsync(StoreSession session, IReadOnlyList<ClaimedWork> items, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch((NpgsqlConnection)session.Connection, (NpgsqlTransaction)session.Transaction);
        batch.BatchCommands.Add(new NpgsqlBatchCommand(PlanForTheQueueAsItIsNow));
        batch.BatchCommands.Add(DeleteLeasedCommand(items));
        batch.BatchCommands.Add(new NpgsqlBatchCommand(PlanAsConfigured));
        var accepted = new HashSet<long>();
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            accepted.Add(reader.GetInt64(0));
        }

        return accepted;
    }

    // A cached (generic) plan is made once per connection, from what the planner believed about
    // the table then. The queue table is the one whose size swings: it is nearly empty when a
    // process starts, and under load it fills with rows deleted since the last vacuum, so a plan
    // made early (a sequential scan of a "tiny" table) reads every dead row later; on a fan-out
    // benchmark that made a 190-row delete take 4.9 ms. The claim and the lease delete are
    // planned afresh instead (about 0.1 ms), against the table as it is now. Scoped to the
    // transaction, and reset right after, so every other statement keeps its cached plan.
    private const string PlanForTheQueueAsItIsNow = "SET LOCAL plan_cache_mode = force_custom_plan";

    private const string PlanAsConfigured = "RESET plan_cache_mode";

    // The same outside a transaction block, where SET LOCAL does nothing: set_config(..., true)
    // holds until the batch's implicit transaction ends. It returns one row.
    private const string PlanForTheQueueAsItIsNowInThisBatch = "SELECT set_config('plan_cache_mode', 'force_custom_plan', true)";

    private static NpgsqlBatchCommand DeleteLeasedCommand(IReadOnlyList<ClaimedWork> items)
    {
        // The id list is said twice: as an index condition, so the rows are found through the
        // primary key, and joined with the claim counts, so only the leases still held match.
        var delete = new NpgsqlBatchCommand($"DELETE FROM {StoreSchema.WorkItems.Table} w USING unnest(@ids, @claims) AS x(id, claims) WHERE w.id = ANY(@ids) AND w.id = x.id AND w.claims = x.claims RETURNING w.id");
        delete.Parameters.Add(new NpgsqlParameter<long[]>("ids", items.Select(i => i.Id).ToArray()));
        delete.Parameters.Add(new NpgsqlParameter<int[]>("claims", items.Select(i => i.Claims).ToArray()));
        return delete;
    }

    protected internal override async Task<(Dictionary<string, InstanceRecord> Instances, HashSet<long> Accepted)> LockAndDeleteLeasedAsync(StoreSession session, IReadOnlyCollection<string> instanceIds, IReadOnlyList<ClaimedWork> items, CancellationToken cancellationToken)
    {
        // One round trip: lock the instances (in id order), then take the still-leased items.
        await using var batch = new NpgsqlBatch((NpgsqlConnection)session.Connection, (NpgsqlTransaction)session.Transaction);
        var lockInstances = new NpgsqlBatchCommand($"SELECT {StoreSchema.Instances.Columns} FROM {StoreSchema.Instances.Table} WHERE id = ANY(@ids) ORDER BY id FOR UPDATE");
        lockInstances.Parameters.Add(new NpgsqlParameter<string[]>("ids", instanceIds.ToArray()));
        batch.BatchCommands.Add(lockInstances);
        batch.BatchCommands.Add(new NpgsqlBatchCommand(PlanForTheQueueAsItIsNow));
        batch.BatchCommands.Add(DeleteLeasedCommand(items));
        batch.BatchCommands.Add(new NpgsqlBatchCommand(PlanAsConfigured));
        var instances = new Dictionary<string, InstanceRecord>(StringComparer.Ordinal);
        var accepted = new HashSet<long>();
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var record = SqlReaders.Instance(reader);
            instances[record.Id] = record;
        }

        await reader.NextResultAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            accepted.Add(reader.GetInt64(0));
        }

        return (instances, accepted);
    }

    protected internal override async Task<List<NodeStateRecord>> LoadStatesAsync(StoreSession session, string instanceId, IReadOnlyCollection<string> nodeIds, CancellationToken cancellationToken)
    {
        await using var command = Cmd(session, nodeIds.Count == 0
            ? $"SELECT {StoreSchema.NodeStates.Columns} FROM {StoreSchema.NodeStates.Table} WHERE instance_id = @i"
            : $"SELECT {StoreSchema.NodeStates.Columns} FROM {StoreSchema.NodeStates.Table} WHERE instance_id = @i AND node_id IN (SELECT unnest(@n))");
        command.Parameters.Add(new NpgsqlParameter<string>("i", instanceId));
        if (nodeIds.Count > 0)
        {
            command.Parameters.Add(new NpgsqlParameter<string[]>("n", nodeIds.ToArray()));
        }

        return await command.ReadAllAsync(reader => SqlReaders.State(reader), cancellationToken);
    }

    protected internal override async Task DeleteWorkAsync(StoreSession session, string instanceId, IReadOnlyCollection<string>? nodeIds, CancellationToken cancellationToken)
    {
        await using var command = Cmd(session, nodeIds is null
            ? $"DELETE FROM {StoreSchema.WorkItems.Table} WHERE instance_id = @i"
            : $"DELETE FROM {StoreSchema.WorkItems.Table} WHERE instance_id = @i AND split_part(node_id, '[', 1) = ANY(@n)");
        command.Parameters.Add(new NpgsqlParameter<string>("i", instanceId));
        if (nodeIds is not null)
        {
            command.Parameters.Add(new NpgsqlParameter<string[]>("n", nodeIds.ToArray()));
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    protected internal override async Task<List<InstanceRecord>> RunningChildrenAsync(StoreSession session, string parentInstanceId, IReadOnlyCollection<string>? parentNodeIds, CancellationToken cancellationToken)
    {
        await using var command = Cmd(session, parentNodeIds is null
            ? $"SELECT {StoreSchema.Instances.Columns} FROM {StoreSchema.Instances.Table} WHERE parent_instance_id = @p AND status = 0 ORDER BY id FOR UPDATE"
            : $"SELECT {StoreSchema.Instances.Columns} FROM {StoreSchema.Instances.Table} WHERE parent_instance_id = @p AND status = 0 AND split_part(parent_node_id, '[', 1) = ANY(@n) ORDER BY id FOR UPDATE");
        command.Parameters.Add(new NpgsqlParameter<string>("p", parentInstanceId));
        if (parentNodeIds is not null)
        {
            command.Parameters.Add(new NpgsqlParameter<string[]>("n", parentNodeIds.ToArray()));
        }

        return await command.ReadAllAsync(reader => SqlReaders.Instance(reader), cancellationToken);
    }

    protected internal override async Task<(string Id, int Version)?> InstanceDefinitionAsync(StoreSession session, string instanceId, CancellationToken cancellationToken)
    {
        await using var command = Cmd(session, $"SELECT definition_id, definition_version FROM {StoreSchema.Instances.Table} WHERE id = @i");
        command.Parameters.Add(new NpgsqlParameter<string>("i", instanceId));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? (reader.GetString(0), reader.GetInt32(1)) : null;
    }

    protected internal override async Task WriteAsync(StoreSession session, PendingWrites writes, CancellationToken cancellationToken)
    {
        var batch = new NpgsqlBatch((NpgsqlConnection)session.Connection, (NpgsqlTransaction)session.Transaction);
        await using (batch)
        {
            // The commands that return rows, in batch order, each with what reads its rows.
            var results = new List<Func<NpgsqlDataReader, Task>>();
            if (writes.Guard is { } guard)
            {
                AddGuard(batch, results, guard);
            }

            if (writes.NewInstances.Count > 0)
            {
                var rows = writes.NewInstances;
                var c = new NpgsqlBatchCommand($"INSERT INTO {StoreSchema.Instances.Table} ({StoreSchema.Instances.Columns}) SELECT * FROM unnest(@a, @b, @c, @d, @e, @f, @g, @h, @i, @j, @k, @l, @m, @n, @o, @p) RETURNING id, xmin::text::bigint");
                c.Parameters.Add(Array("a", rows.Select(r => r.Id)));
                c.Parameters.Add(Array("b", rows.Select(r => r.DefinitionId)));
                c.Parameters.Add(Array("c", rows.Select(r => r.DefinitionVersion)));
                c.Parameters.Add(Array("d", rows.Select(r => r.Status)));
                c.Parameters.Add(Array("e", rows.Select(r => r.ActiveNodes)));
                c.Parameters.Add(Array("f", rows.Select(r => r.Depth)));
                c.Parameters.Add(Array("g", rows.Select(r => r.ParentInstanceId)));
                c.Parameters.Add(Array("h", rows.Select(r => r.ParentNodeId)));
                c.Parameters.Add(Array("i", rows.Select(r => r.ParentAttempt)));
                c.Parameters.Add(Array("j", rows.Select(r => r.Input)));
                c.Parameters.Add(Array("k", rows.Select(r => r.Variables)));
                c.Parameters.Add(Array("l", rows.Select(r => r.Output)));
                c.Parameters.Add(Array("m", rows.Select(r => r.Error)));
                c.Parameters.Add(Array("n", rows.Select(r => r.CreatedAt)));
                c.Parameters.Add(Array("o", rows.Select(r => r.UpdatedAt)));
                c.Parameters.Add(Array("p", rows.Select(r => r.FinishedAt)));
                batch.BatchCommands.Add(c);
                results.Add(reader => ReadRowVersionsAsync(reader, rows, cancellationToken));
            }

            if (writes.ChangedInstances.Count > 0)
            {
                var rows = writes.ChangedInstances.DistinctBy(r => r.Id).ToArray();
                var c = new NpgsqlBatchCommand($"UPDATE {StoreSchema.Instances.Table} i SET status = x.status, active_nodes = x.active, output = x.output, error = x.error, updated_at = x.updated, finished_at = x.finished, variables = x.variables FROM unnest(@a, @b, @c, @d, @e, @f, @g, @h) AS x(id, status, active, output, error, updated, finished, variables) WHERE i.id = x.id RETURNING i.id, i.xmin::text::bigint");
                c.Parameters.Add(Array("a", rows.Select(r => r.Id)));
                c.Parameters.Add(Array("b", rows.Select(r => r.Status)));
                c.Parameters.Add(Array("c", rows.Select(r => r.ActiveNodes)));
                c.Parameters.Add(Array("d", rows.Select(r => r.Output)));
                c.Parameters.Add(Array("e", rows.Select(r => r.Error)));
                c.Parameters.Add(Array("f", rows.Select(r => r.UpdatedAt)));
                c.Parameters.Add(Array("g", rows.Select(r => r.FinishedAt)));
                c.Parameters.Add(Array("h", rows.Select(r => r.Variables)));
                batch.BatchCommands.Add(c);
                results.Add(reader => ReadRowVersionsAsync(reader, writes.ChangedInstances, cancellationToken));
            }

            if (writes.States.Count > 0)
            {
                // The last write of a node within one transaction wins.
                var rows = writes.States.GroupBy(s => (s.InstanceId, s.NodeId)).Select(g => g.Last()).ToArray();
                var c = new NpgsqlBatchCommand($"""
                    INSERT INTO {StoreSchema.NodeStates.Table} ({StoreSchema.NodeStates.Columns})
                    SELECT * FROM unnest(@a, @b, @c, @d, @e, @f, @g, @h, @i, @j, @k, @l, @m)
                    {StoreSchema.NodeStates.Upsert}
                    """);
                c.Parameters.Add(Array("a", rows.Select(r => r.InstanceId)));
                c.Parameters.Add(Array("b", rows.Select(r => r.NodeId)));
                c.Parameters.Add(Array("c", rows.Select(r => r.Status)));
                c.Parameters.Add(Array("d", rows.Select(r => r.Attempt)));
                c.Parameters.Add(Array("e", rows.Select(r => r.Arrived)));
                c.Parameters.Add(Array("f", rows.Select(r => r.Dead)));
                c.Parameters.Add(Array("g", rows.Select(r => r.ItemsTotal)));
                c.Parameters.Add(Array("h", rows.Select(r => r.ItemsStarted)));
                c.Parameters.Add(Array("i", rows.Select(r => r.ItemsDone)));
                c.Parameters.Add(Array("j", rows.Select(r => r.Output)));
                c.Parameters.Add(Array("k", rows.Select(r => r.Error)));
                c.Parameters.Add(Array("l", rows.Select(r => r.Data)));
                c.Parameters.Add(Array("m", rows.Select(r => r.FinishedAt)));
                batch.BatchCommands.Add(c);
            }

            if (writes.Journal.Count > 0)
            {
                var rows = writes.Journal;
                var c = new NpgsqlBatchCommand($"INSERT INTO {StoreSchema.Journal.Table} ({StoreSchema.Journal.InsertColumns}) SELECT * FROM unnest(@a, @b, @c, @d, @e, @f, @g)");
                c.Parameters.Add(Array("a", rows.Select(r => r.InstanceId)));
                c.Parameters.Add(Array("b", rows.Select(r => r.NodeId)));
                c.Parameters.Add(Array("c", rows.Select(r => r.Type)));
                c.Parameters.Add(Array("d", rows.Select(r => r.Attempt)));
                c.Parameters.Add(Array("e", rows.Select(r => r.At)));
                c.Parameters.Add(Array("f", rows.Select(r => r.Worker)));
                c.Parameters.Add(Array("g", rows.Select(r => r.Message)));
                batch.BatchCommands.Add(c);
            }

            if (writes.Work.Count > 0)
            {
                var rows = writes.Work.Select(w => w.Record).ToArray();
                var c = new NpgsqlBatchCommand($"""
                    INSERT INTO {StoreSchema.WorkItems.Table} ({StoreSchema.WorkItems.InsertColumns})
                    SELECT * FROM unnest(@a, @b, @c, @d, @e, @f, @g, @h, @i, @j, @k) RETURNING {StoreSchema.WorkItems.InsertReturning}
                    """);
                c.Parameters.Add(Array("a", rows.Select(r => r.InstanceId)));
                c.Parameters.Add(Array("b", rows.Select(r => r.NodeId)));
                c.Parameters.Add(Array("c", rows.Select(r => r.Attempt)));
                c.Parameters.Add(Array("d", rows.Select(r => r.Priority)));
                c.Parameters.Add(Array("e", rows.Select(r => r.VisibleAt)));
                c.Parameters.Add(Array("f", rows.Select(r => r.Owner)));
                c.Parameters.Add(Array("g", rows.Select(r => r.Claims)));
                c.Parameters.Add(Array("h", rows.Select(r => r.Resume)));
                c.Parameters.Add(Array("i", rows.Select(r => r.Payload)));
                c.Parameters.Add(Array("j", rows.Select(r => r.DefinitionId)));
                c.Parameters.Add(Array("k", rows.Select(r => r.DefinitionVersion)));
                batch.BatchCommands.Add(c);
                results.Add(reader => ReadWorkIdsAsync(reader, writes.Work, cancellationToken));
            }

            if (writes.ClaimUpTo > 0)
            {
                var claim = new NpgsqlBatchCommand(ClaimSql);
                AddClaimParameters(claim.Parameters, writes.ClaimOwner!, writes.ClaimUpTo, session.Now, writes.ClaimLease);
                batch.BatchCommands.Add(new NpgsqlBatchCommand(PlanForTheQueueAsItIsNow));
                batch.BatchCommands.Add(claim);
                batch.BatchCommands.Add(new NpgsqlBatchCommand(PlanAsConfigured));
                results.Add(async reader =>
                {
                    while (await reader.ReadAsync(cancellationToken))
                    {
                        writes.Claimed.Add(SqlReaders.Claimed(reader));
                    }
                });
            }

            if (writes.HasVisibleWork)
            {
                // Delivered only if the transaction commits, and only once it has.
                batch.BatchCommands.Add(new NpgsqlBatchCommand($"SELECT pg_notify('{Channel}', '')"));
                results.Add(_ => Task.CompletedTask);
                writes.NotifyQueued = true;
            }

            if (writes.Guard is not null)
            {
                // The commit rides in the same round trip: PostgreSQL runs it only if every
                // statement before it succeeded, the guard's checks included.
                batch.BatchCommands.Add(new NpgsqlBatchCommand("COMMIT"));
            }

            if (batch.BatchCommands.Count == 0)
            {
                return;
            }

            try
            {
                // Statements without RETURNING produce no result set: the readable sets are the
                // ones in results, in order.
                await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
                for (var i = 0; i < results.Count; i++)
                {
                    if (i > 0 && !await reader.NextResultAsync(cancellationToken))
                    {
                        throw new InvalidOperationException($"The write batch returned {i} result sets, expected {results.Count}.");
                    }

                    await results[i](reader);
                }

                while (await reader.NextResultAsync(cancellationToken))
                {
                    // Drains the batch to its end, so an error in its last statements (the COMMIT) surfaces here.
                }
            }
            catch (PostgresException ex) when (writes.Guard is not null && ex.SqlState == GuardFailedState)
            {
                // Nothing was written: the transaction is aborted and rolls back when the session ends.
                writes.GuardFailed = true;
                return;
            }

            if (writes.Guard is not null)
            {
                ((PostgresSession)session).CommittedInBatch();
            }
        }
    }

    // Raised by tf_expect (migration CommitGuardCheck).
    private const string GuardFailedState = "TF409";

    private static void AddGuard(NpgsqlBatch batch, List<Func<NpgsqlDataReader, Task>> results, CommitGuard guard)
    {
        // Lock the instances in id order, as every commit does, and check that each row is still
        // the version this process wrote: then the transition computed from that row is the one
        // the ordinary commit would compute now.
        var instances = new NpgsqlBatchCommand($"""
            SELECT tf_expect(count(*), @n, 'an instance changed since this process last wrote it') FROM (
              SELECT i.id FROM {StoreSchema.Instances.Table} i JOIN unnest(@ids, @versions) AS x(id, v) ON i.id = x.id
              WHERE i.xmin::text::bigint = x.v ORDER BY i.id FOR UPDATE OF i) locked
            """);
        instances.Parameters.Add(new NpgsqlParameter<long>("n", guard.Instances.Count));
        instances.Parameters.Add(new NpgsqlParameter<string[]>("ids", guard.Instances.Select(i => i.InstanceId).ToArray()));
        instances.Parameters.Add(new NpgsqlParameter<long[]>("versions", guard.Instances.Select(i => i.RowVersion).ToArray()));
        batch.BatchCommands.Add(instances);
        results.Add(_ => Task.CompletedTask);

        // Take the finished items only under the leases they were run with (see DeleteLeasedAsync).
        var leases = new NpgsqlBatchCommand($"""
            WITH taken AS (DELETE FROM {StoreSchema.WorkItems.Table} w USING unnest(@ids, @claims) AS x(id, claims) WHERE w.id = ANY(@ids) AND w.id = x.id AND w.claims = x.claims RETURNING 1)
            SELECT tf_expect(count(*), @n, 'a lease was lost') FROM taken
            """);
        leases.Parameters.Add(new NpgsqlParameter<long>("n", guard.Items.Count));
        leases.Parameters.Add(new NpgsqlParameter<long[]>("ids", guard.Items.Select(i => i.Id).ToArray()));
        leases.Parameters.Add(new NpgsqlParameter<int[]>("claims", guard.Items.Select(i => i.Claims).ToArray()));
        batch.BatchCommands.Add(leases);
        results.Add(_ => Task.CompletedTask);
    }

    private static async Task ReadRowVersionsAsync(NpgsqlDataReader reader, IEnumerable<InstanceRecord> rows, CancellationToken cancellationToken)
    {
        var versions = new Dictionary<string, long>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken))
        {
            versions[reader.GetString(0)] = reader.GetInt64(1);
        }

        foreach (var row in rows)
        {
            row.RowVersion = versions.GetValueOrDefault(row.Id);
        }
    }

    private static async Task ReadWorkIdsAsync(NpgsqlDataReader reader, List<NewWork> work, CancellationToken cancellationToken)
    {
        var byKey = work.ToLookup(w => (w.Record.InstanceId, w.Record.NodeId, w.Record.Attempt, w.Record.Resume));
        var used = new HashSet<NewWork>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var key = (reader.GetString(1), reader.GetString(2), reader.GetInt32(3), reader.GetBoolean(4));
            var match = byKey[key].First(w => !used.Contains(w));
            used.Add(match);
            match.Record.Id = reader.GetInt64(0);
        }

        if (used.Count != work.Count)
        {
            throw new InvalidOperationException($"Inserted {work.Count} work items but read back {used.Count} ids.");
        }
    }

    protected internal override async Task<DefinitionRecord?> FindDefinitionAsync(StoreSession? session, string definitionId, int? version, CancellationToken cancellationToken)
    {
        const string columns = StoreSchema.Definitions.Columns;
        var sql = version is null
            ? $"SELECT {columns} FROM {StoreSchema.Definitions.Table} WHERE definition_id = @id AND NOT is_deleted AND is_published ORDER BY version DESC LIMIT 1"
            : $"SELECT {columns} FROM {StoreSchema.Definitions.Table} WHERE definition_id = @id AND version = @v";
        await using var owned = session is null ? await DataSource.OpenConnectionAsync(cancellationToken) : null;
        await using var command = session is null ? owned!.CreateCommand() : (NpgsqlCommand)session.Command("");
        command.CommandText = sql;
        command.Parameters.Add(new NpgsqlParameter<string>("id", definitionId));
        if (version is { } v)
        {
            command.Parameters.Add(new NpgsqlParameter<int>("v", v));
        }

        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? SqlReaders.Definition(reader) : null;
    }

    public override async Task<InstanceScope?> LoadScopeAsync(string instanceId, IReadOnlyCollection<string> nodeIds, CancellationToken cancellationToken = default)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(connection);
        var instance = new NpgsqlBatchCommand($"SELECT input, variables, depth, correlation_id FROM {StoreSchema.Instances.Table} WHERE id = @i");
        instance.Parameters.Add(new NpgsqlParameter<string>("i", instanceId));
        var states = new NpgsqlBatchCommand($"SELECT {StoreSchema.NodeStates.Columns} FROM {StoreSchema.NodeStates.Table} WHERE instance_id = @i AND node_id IN (SELECT unnest(@n))");
        states.Parameters.Add(new NpgsqlParameter<string>("i", instanceId));
        states.Parameters.Add(new NpgsqlParameter<string[]>("n", nodeIds.ToArray()));
        batch.BatchCommands.Add(instance);
        batch.BatchCommands.Add(states);
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        var input = System.Text.Json.Nodes.JsonNode.Parse(reader.GetString(0)) as System.Text.Json.Nodes.JsonObject ?? [];
        var variables = System.Text.Json.Nodes.JsonNode.Parse(reader.GetString(1)) as System.Text.Json.Nodes.JsonObject ?? [];
        var depth = reader.GetInt32(2);
        var correlationId = reader.IsDBNull(3) ? null : reader.GetString(3);
        await reader.NextResultAsync(cancellationToken);
        var nodes = new List<NodeStateRecord>();
        while (await reader.ReadAsync(cancellationToken))
        {
            nodes.Add(SqlReaders.State(reader));
        }

        return new InstanceScope(input, variables, depth, nodes) { CorrelationId = correlationId };
    }

    public override async Task<IReadOnlyList<ClaimedWork>> ClaimAsync(string owner, int max, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        var now = Time.GetUtcNow();
        await using var batch = DataSource.CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand(PlanForTheQueueAsItIsNowInThisBatch));
        var claim = new NpgsqlBatchCommand(ClaimSql);
        AddClaimParameters(claim.Parameters, owner, max, now, lease);
        batch.BatchCommands.Add(claim);
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);

        // Past set_config's row to the claim's.
        await reader.NextResultAsync(cancellationToken);
        var claimed = new List<ClaimedWork>();
        while (await reader.ReadAsync(cancellationToken))
        {
            claimed.Add(SqlReaders.Claimed(reader));
        }

        return claimed;
    }

    private static void AddClaimParameters(NpgsqlParameterCollection parameters, string owner, int max, DateTimeOffset now, TimeSpan lease)
    {
        parameters.Add(new NpgsqlParameter<long>("now", now.ToUnixTimeMilliseconds()));
        parameters.Add(new NpgsqlParameter<long>("nowms", now.ToUnixTimeMilliseconds()));
        parameters.Add(new NpgsqlParameter<long>("until", (now + lease).ToUnixTimeMilliseconds()));
        parameters.Add(new NpgsqlParameter<int>("max", max));
        parameters.Add(new NpgsqlParameter<string>("owner", owner));
    }

    // One statement, one round trip: pick due items nobody holds, lease them, journal the start
    // (and the re-claim, when a previous lease expired).
    private static readonly string ClaimSql = $"""
            WITH picked AS (
                SELECT id FROM {StoreSchema.WorkItems.Table} WHERE visible_at <= @now
                ORDER BY priority DESC, visible_at, id LIMIT @max FOR UPDATE SKIP LOCKED),
            claimed AS (
                UPDATE {StoreSchema.WorkItems.Table} w SET owner = @owner, claims = w.claims + 1, visible_at = @until
                WHERE w.id = ANY(ARRAY(SELECT id FROM picked))
                RETURNING w.{StoreSchema.WorkItems.ClaimedColumns.Replace(", ", ", w.", StringComparison.Ordinal)}),
            started AS (
                INSERT INTO {StoreSchema.Journal.Table} ({StoreSchema.Journal.InsertColumns})
                SELECT instance_id, node_id, {(int)JournalEventType.LeaseReclaimed}, attempt, @nowms, @owner, 'Claimed again (claim ' || claims || '): the previous lease expired or was released.' FROM claimed WHERE claims > 1
                UNION ALL
                SELECT instance_id, node_id, {(int)JournalEventType.NodeStarted}, attempt, @nowms, @owner, NULL FROM claimed WHERE NOT resume)
            SELECT {StoreSchema.WorkItems.ClaimedColumns} FROM claimed
            """;

    public override async Task<HashSet<long>> ExtendLeasesAsync(string owner, IReadOnlyList<ClaimedWork> items, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        await using var command = DataSource.CreateCommand($"UPDATE {StoreSchema.WorkItems.Table} w SET visible_at = @until FROM unnest(@ids, @claims) AS x(id, claims) WHERE w.id = ANY(@ids) AND w.id = x.id AND w.claims = x.claims AND w.owner = @owner RETURNING w.id");
        command.Parameters.Add(new NpgsqlParameter<long>("until", (Time.GetUtcNow() + lease).ToUnixTimeMilliseconds()));
        command.Parameters.Add(new NpgsqlParameter<long[]>("ids", items.Select(i => i.Id).ToArray()));
        command.Parameters.Add(new NpgsqlParameter<int[]>("claims", items.Select(i => i.Claims).ToArray()));
        command.Parameters.Add(new NpgsqlParameter<string>("owner", owner));
        return (await command.ReadAllAsync(reader => reader.GetInt64(0), cancellationToken)).ToHashSet();
    }

    public override async Task ReleaseLeasesAsync(string owner, IReadOnlyList<ClaimedWork> items, CancellationToken cancellationToken = default)
    {
        await using var command = DataSource.CreateCommand($"UPDATE {StoreSchema.WorkItems.Table} w SET visible_at = @now, owner = NULL FROM unnest(@ids, @claims) AS x(id, claims) WHERE w.id = ANY(@ids) AND w.id = x.id AND w.claims = x.claims AND w.owner = @owner; SELECT pg_notify('{Channel}', '')");
        command.Parameters.Add(new NpgsqlParameter<long>("now", Time.GetUtcNow().ToUnixTimeMilliseconds()));
        command.Parameters.Add(new NpgsqlParameter<long[]>("ids", items.Select(i => i.Id).ToArray()));
        command.Parameters.Add(new NpgsqlParameter<int[]>("claims", items.Select(i => i.Claims).ToArray()));
        command.Parameters.Add(new NpgsqlParameter<string>("owner", owner));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public override async Task<long> QueueDepthAsync(CancellationToken cancellationToken = default)
    {
        await using var command = DataSource.CreateCommand($"SELECT count(*) FROM {StoreSchema.WorkItems.Table} WHERE visible_at <= @now AND owner IS NULL");
        command.Parameters.Add(new NpgsqlParameter<long>("now", Time.GetUtcNow().ToUnixTimeMilliseconds()));
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public override async Task<DateTimeOffset?> NextVisibleAtAsync(CancellationToken cancellationToken = default)
    {
        await using var command = DataSource.CreateCommand($"SELECT min(visible_at) FROM {StoreSchema.WorkItems.Table}");
        var value = await command.ExecuteScalarAsync(cancellationToken);
        return value is long ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
    }

    protected internal override async Task LockRoutesAsync(StoreSession session, CancellationToken cancellationToken)
    {
        await using var lockCommand = Cmd(session, "SELECT pg_advisory_xact_lock(hashtext('tf_http_routes'))");
        await lockCommand.ExecuteNonQueryAsync(cancellationToken);
    }

    public override async Task<DefinitionRecord> InsertDefinitionAsync(string definitionId, string? name, bool publish, Func<int, string> jsonForVersion, CancellationToken cancellationToken = default, Func<CancellationToken, Task>? check = null)
    {
        await using var session = await BeginAsync(cancellationToken);
        if (check is not null)
        {
            // The routes' lock first, always before a definition's: one order, so no deadlock.
            await LockRoutesAsync(session, cancellationToken);
            await check(cancellationToken);
        }

        // Serialises saves of one id across processes, so versions are gap-free and never collide.
        await using (var lockCommand = Cmd(session, "SELECT pg_advisory_xact_lock(hashtext('tf_definitions:' || @id))"))
        {
            lockCommand.Parameters.Add(new NpgsqlParameter<string>("id", definitionId));
            await lockCommand.ExecuteNonQueryAsync(cancellationToken);
        }

        int version;
        await using (var max = Cmd(session, $"SELECT coalesce(max(version), 0) + 1 FROM {StoreSchema.Definitions.Table} WHERE definition_id = @id"))
        {
            max.Parameters.Add(new NpgsqlParameter<string>("id", definitionId));
            version = Convert.ToInt32(await max.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
        }

        var record = new DefinitionRecord { DefinitionId = definitionId, Version = version, Name = name, Json = jsonForVersion(version), CreatedAt = session.Now.ToUnixTimeMilliseconds(), IsPublished = publish };
        if (publish)
        {
            await UnpublishAsync(session, definitionId, cancellationToken);
        }

        await using (var insert = Cmd(session, $"INSERT INTO {StoreSchema.Definitions.Table} ({StoreSchema.Definitions.Columns}) VALUES (@id, @v, @n, @j, @c, false, @p)"))
        {
            insert.Parameters.Add(new NpgsqlParameter<string>("id", record.DefinitionId));
            insert.Parameters.Add(new NpgsqlParameter<int>("v", record.Version));
            insert.Parameters.Add(new NpgsqlParameter("n", NpgsqlDbType.Text) { Value = (object?)record.Name ?? DBNull.Value });
            insert.Parameters.Add(new NpgsqlParameter<string>("j", record.Json));
            insert.Parameters.Add(new NpgsqlParameter<long>("c", record.CreatedAt));
            insert.Parameters.Add(new NpgsqlParameter<bool>("p", record.IsPublished));
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        await session.CommitAsync(false, cancellationToken);
        return record;
    }

    public override async Task<int> PurgeFinishedAsync(DateTimeOffset finishedBefore, CancellationToken cancellationToken = default)
    {
        await using var session = await BeginAsync(cancellationToken);
        await using var command = Cmd(session, $"""
            WITH doomed AS (SELECT id FROM {StoreSchema.Instances.Table} WHERE status <> 0 AND finished_at < @cut),
            j AS (DELETE FROM {StoreSchema.Journal.Table} WHERE instance_id IN (SELECT id FROM doomed)),
            s AS (DELETE FROM {StoreSchema.NodeStates.Table} WHERE instance_id IN (SELECT id FROM doomed)),
            w AS (DELETE FROM {StoreSchema.WorkItems.Table} WHERE instance_id IN (SELECT id FROM doomed)),
            k AS (DELETE FROM {StoreSchema.StartKeys.Table} WHERE instance_id IN (SELECT id FROM doomed)),
            e AS (DELETE FROM tf_event_waits WHERE instance_id IN (SELECT id FROM doomed))
            DELETE FROM {StoreSchema.Instances.Table} WHERE id IN (SELECT id FROM doomed)
            """);
        command.Parameters.Add(new NpgsqlParameter<long>("cut", finishedBefore.ToUnixTimeMilliseconds()));
        var purged = await command.ExecuteNonQueryAsync(cancellationToken);
        await session.CommitAsync(false, cancellationToken);
        return purged;
    }

    private static NpgsqlCommand Cmd(StoreSession session, string sql) => (NpgsqlCommand)session.Command(sql);

    private static NpgsqlParameter Array<T>(string name, IEnumerable<T> values) => new NpgsqlParameter<T[]>(name, values.ToArray());

    private sealed class PostgresSession(NpgsqlConnection connection, NpgsqlTransaction transaction, DateTimeOffset now)
        : StoreSession(connection, transaction, now)
    {
        private bool _done;

        /// <summary>The write batch carried the COMMIT itself (a guarded commit), and it succeeded.</summary>
        public void CommittedInBatch() => _done = true;

        public override async Task CommitAsync(bool newWork, CancellationToken cancellationToken)
        {
            if (_done)
            {
                // Committed by the write batch, which also carried any notification.
                return;
            }

            if (newWork)
            {
                // Delivered only if the transaction commits, and only once it has.
                await using var notify = Command($"SELECT pg_notify('{Channel}', '')");
                await notify.ExecuteNonQueryAsync(cancellationToken);
            }

            await Transaction.CommitAsync(cancellationToken);
            _done = true;
        }

        public override async ValueTask DisposeAsync()
        {
            if (!_done)
            {
                try
                {
                    await Transaction.RollbackAsync();
                }
                catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
                {
                    // The connection is broken; disposing it below releases the server-side transaction.
                }
            }

            await Transaction.DisposeAsync();
            await Connection.DisposeAsync();
        }
    }
}
