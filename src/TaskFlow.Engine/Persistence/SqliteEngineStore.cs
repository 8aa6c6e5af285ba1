using System.Data.Common;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using TaskFlow.Core.Scheduling;
using TaskFlow.Core.Validation;

namespace TaskFlow.Engine.Persistence;

/// <summary>
/// SQLite, the embedded default: one process owns the database file. Writes go through one
/// connection behind an in-process gate (SQLite has a single writer anyway), in WAL mode, so
/// readers on other connections are never blocked. Wake-ups are in-process.
/// </summary>
public sealed class SqliteEngineStore : EngineStore
{
    private const string ParentOf = "CASE WHEN instr({0}, '[') > 0 THEN substr({0}, 1, instr({0}, '[') - 1) ELSE {0} END";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly SqliteConnection _connection;
    private readonly PreparedCommands _commands;
    private readonly SqliteCheckpointer? _checkpointer;

    public SqliteEngineStore(string connectionString, GraphCache graphs, WorkflowLimits limits, TimeProvider time)
        : base(graphs, limits, time)
    {
        _connection = new SqliteConnection(connectionString);
        _connection.Open();
        _commands = new PreparedCommands(_connection);
        using var pragma = _connection.CreateCommand();
        // WAL with synchronous=NORMAL: a commit survives a process crash; after a power cut the
        // newest commits may be lost but the file stays consistent (docs/guarantees.md).
        pragma.CommandText = "PRAGMA journal_mode=WAL";
        var wal = string.Equals(pragma.ExecuteScalar() as string, "wal", StringComparison.OrdinalIgnoreCase);
        pragma.CommandText = "PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000; PRAGMA temp_store=MEMORY; PRAGMA wal_autocheckpoint=10000;";
        pragma.ExecuteNonQuery();
        _checkpointer = wal ? new SqliteCheckpointer(connectionString) : null;
    }

    public override async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync();
        _checkpointer?.Dispose();
        _commands.Dispose();
        await _connection.DisposeAsync();
        _gate.Dispose();
    }

    protected internal override async Task<StoreSession> BeginAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var transaction = _connection.BeginTransaction(deferred: false);
            return new SqliteSession(this, _connection, transaction, Time.GetUtcNow());
        }
        catch
        {
            _gate.Release();
            throw;
        }
    }

    protected internal override async Task<Dictionary<string, InstanceRecord>> LockInstancesAsync(StoreSession session, IReadOnlyCollection<string> instanceIds, CancellationToken cancellationToken)
    {
        await using var command = session.Command($"SELECT {StoreSchema.Instances.Columns} FROM {StoreSchema.Instances.Table} WHERE id IN (SELECT value FROM json_each(@ids))");
        Add(command, "ids", JsonSerializer.Serialize(instanceIds));
        return (await command.ReadAllAsync(SqlReaders.Instance, cancellationToken)).ToDictionary(r => r.Id, StringComparer.Ordinal);
    }

    protected internal override async Task<HashSet<long>> DeleteLeasedAsync(StoreSession session, IReadOnlyList<ClaimedWork> items, CancellationToken cancellationToken)
    {
        await using var command = session.Command($"DELETE FROM {StoreSchema.WorkItems.Table} WHERE (id, claims) IN (SELECT {SqliteRows.Col(0)}, {SqliteRows.Col(1)} FROM jsonb_each(@rows)) RETURNING id");
        Add(command, "rows", SqliteRows.Pack(items, static (w, i) => { w.WriteNumberValue(i.Id); w.WriteNumberValue(i.Claims); }));
        return (await command.ReadAllAsync(reader => reader.GetInt64(0), cancellationToken)).ToHashSet();
    }

    protected internal override async Task<List<NodeStateRecord>> LoadStatesAsync(StoreSession session, string instanceId, IReadOnlyCollection<string> nodeIds, CancellationToken cancellationToken)
    {
        await using var command = session.Command(nodeIds.Count == 0
            ? $"SELECT {StoreSchema.NodeStates.Columns} FROM {StoreSchema.NodeStates.Table} WHERE instance_id = @i"
            : $"SELECT {StoreSchema.NodeStates.Columns} FROM {StoreSchema.NodeStates.Table} WHERE instance_id = @i AND node_id IN (SELECT value FROM json_each(@n))");
        Add(command, "i", instanceId);
        if (nodeIds.Count > 0)
        {
            Add(command, "n", JsonSerializer.Serialize(nodeIds));
        }

        return await command.ReadAllAsync(reader => SqlReaders.State(reader), cancellationToken);
    }

    protected internal override async Task DeleteWorkAsync(StoreSession session, string instanceId, IReadOnlyCollection<string>? nodeIds, CancellationToken cancellationToken)
    {
        await using var command = session.Command(nodeIds is null
            ? $"DELETE FROM {StoreSchema.WorkItems.Table} WHERE instance_id = @i"
            : $"DELETE FROM {StoreSchema.WorkItems.Table} WHERE instance_id = @i AND {string.Format(System.Globalization.CultureInfo.InvariantCulture, ParentOf, "node_id")} IN (SELECT value FROM json_each(@n))");
        Add(command, "i", instanceId);
        if (nodeIds is not null)
        {
            Add(command, "n", JsonSerializer.Serialize(nodeIds));
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    protected internal override async Task<List<InstanceRecord>> RunningChildrenAsync(StoreSession session, string parentInstanceId, IReadOnlyCollection<string>? parentNodeIds, CancellationToken cancellationToken)
    {
        await using var command = session.Command(parentNodeIds is null
            ? $"SELECT {StoreSchema.Instances.Columns} FROM {StoreSchema.Instances.Table} WHERE parent_instance_id = @p AND status = 0"
            : $"SELECT {StoreSchema.Instances.Columns} FROM {StoreSchema.Instances.Table} WHERE parent_instance_id = @p AND status = 0 AND {string.Format(System.Globalization.CultureInfo.InvariantCulture, ParentOf, "parent_node_id")} IN (SELECT value FROM json_each(@n))");
        Add(command, "p", parentInstanceId);
        if (parentNodeIds is not null)
        {
            Add(command, "n", JsonSerializer.Serialize(parentNodeIds));
        }

        return await command.ReadAllAsync(reader => SqlReaders.Instance(reader), cancellationToken);
    }

    protected internal override async Task<(string Id, int Version)?> InstanceDefinitionAsync(StoreSession session, string instanceId, CancellationToken cancellationToken)
    {
        await using var command = session.Command($"SELECT definition_id, definition_version FROM {StoreSchema.Instances.Table} WHERE id = @i");
        Add(command, "i", instanceId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? (reader.GetString(0), reader.GetInt32(1)) : null;
    }

    protected internal override async Task WriteAsync(StoreSession session, PendingWrites writes, CancellationToken cancellationToken)
    {
        // One statement per kind of row, the rows packed as a JSON array (see SqliteRows).
        if (writes.NewInstances.Count > 0)
        {
            await ExecuteRowsAsync(session, $"INSERT INTO {StoreSchema.Instances.Table} ({StoreSchema.Instances.Columns}) SELECT {Cols(16)} FROM jsonb_each(@rows)", writes.NewInstances, static (w, r) =>
            {
                w.Value(r.Id); w.Value(r.DefinitionId); w.Value(r.DefinitionVersion); w.Value(r.Status); w.Value(r.ActiveNodes); w.Value(r.Depth);
                w.Value(r.ParentInstanceId); w.Value(r.ParentNodeId); w.Value(r.ParentAttempt); w.Value(r.Input); w.Value(r.Variables); w.Value(r.Output);
                w.Value(r.Error); w.Value(r.CreatedAt); w.Value(r.UpdatedAt); w.Value(r.FinishedAt);
            }, cancellationToken);
        }

        if (writes.ChangedInstances.Count > 0)
        {
            await using var c = session.Command($"UPDATE {StoreSchema.Instances.Table} SET status = @b, active_nodes = @c, output = @d, error = @e, updated_at = @f, finished_at = @g, variables = @h WHERE id = @a");
            var p = Params(c, "a", "b", "c", "d", "e", "f", "g", "h");
            foreach (var r in writes.ChangedInstances.DistinctBy(r => r.Id))
            {
                Set(p, r.Id, r.Status, r.ActiveNodes, r.Output, r.Error, r.UpdatedAt, r.FinishedAt, r.Variables);
                await c.ExecuteNonQueryAsync(cancellationToken);
            }
        }

        if (writes.States.Count > 0)
        {
            // The last write of a node within one transaction wins.
            var rows = writes.States.GroupBy(s => (s.InstanceId, s.NodeId)).Select(g => g.Last());
            await ExecuteRowsAsync(session, $"""
                INSERT INTO {StoreSchema.NodeStates.Table} ({StoreSchema.NodeStates.Columns}) SELECT {Cols(13)} FROM jsonb_each(@rows) WHERE true
                {StoreSchema.NodeStates.Upsert}
                """, rows, static (w, r) =>
            {
                w.Value(r.InstanceId); w.Value(r.NodeId); w.Value(r.Status); w.Value(r.Attempt); w.Value(r.Arrived); w.Value(r.Dead);
                w.Value(r.ItemsTotal); w.Value(r.ItemsStarted); w.Value(r.ItemsDone); w.Value(r.Output); w.Value(r.Error); w.Value(r.Data); w.Value(r.FinishedAt);
            }, cancellationToken);
        }

        if (writes.Journal.Count > 0)
        {
            await ExecuteRowsAsync(session, $"INSERT INTO {StoreSchema.Journal.Table} ({StoreSchema.Journal.InsertColumns}) SELECT {Cols(7)} FROM jsonb_each(@rows)", writes.Journal, static (w, r) =>
            {
                w.Value(r.InstanceId); w.Value(r.NodeId); w.Value(r.Type); w.Value(r.Attempt); w.Value(r.At); w.Value(r.Worker); w.Value(r.Message);
            }, cancellationToken);
        }

        if (writes.Work.Count > 0)
        {
            await using var c = session.Command($"""
                INSERT INTO {StoreSchema.WorkItems.Table} ({StoreSchema.WorkItems.InsertColumns})
                SELECT {Cols(11)} FROM jsonb_each(@rows) ORDER BY key RETURNING {StoreSchema.WorkItems.InsertReturning}
                """);
            var parameter = Add(c, "rows", null);
            var byKey = writes.Work.ToLookup(w => (w.Record.InstanceId, w.Record.NodeId, w.Record.Attempt, w.Record.Resume));
            var used = new HashSet<NewWork>();
            foreach (var chunk in writes.Work.Chunk(SqliteRows.ChunkSize))
            {
                parameter.Value = SqliteRows.Pack(chunk, static (w, n) =>
                {
                    var r = n.Record;
                    w.Value(r.InstanceId); w.Value(r.NodeId); w.Value(r.Attempt); w.Value(r.Priority); w.Value(r.VisibleAt); w.Value(r.Owner);
                    w.Value(r.Claims); w.Value(r.Resume ? 1 : 0); w.Value(r.Payload); w.Value(r.DefinitionId); w.Value(r.DefinitionVersion);
                });
                await using var reader = await c.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    var match = byKey[(reader.GetString(1), reader.GetString(2), reader.GetInt32(3), reader.GetBoolean(4))].First(w => !used.Contains(w));
                    used.Add(match);
                    match.Record.Id = reader.GetInt64(0);
                }
            }

            if (used.Count != writes.Work.Count)
            {
                throw new InvalidOperationException($"Inserted {writes.Work.Count} work items but read back {used.Count} ids.");
            }
        }

        if (writes.ClaimUpTo > 0)
        {
            writes.Claimed.AddRange(await ClaimInSessionAsync(session, writes.ClaimOwner!, writes.ClaimUpTo, writes.ClaimLease, cancellationToken));
        }
    }

    private static string Cols(int count) => string.Join(", ", Enumerable.Range(0, count).Select(SqliteRows.Col));

    private static async Task ExecuteRowsAsync<T>(StoreSession session, string sql, IEnumerable<T> rows, Action<System.Text.Json.Utf8JsonWriter, T> write, CancellationToken cancellationToken)
    {
        // Chunks keep each packed string well under the large-object-heap threshold: large
        // strings would be collected only by full GCs, which cost more than the extra statements.
        await using var command = session.Command(sql);
        var parameter = Add(command, "rows", null);
        foreach (var chunk in rows.Chunk(SqliteRows.ChunkSize))
        {
            parameter.Value = SqliteRows.Pack(chunk, write);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    protected internal override async Task<DefinitionRecord?> FindDefinitionAsync(StoreSession? session, string definitionId, int? version, CancellationToken cancellationToken)
    {
        const string columns = StoreSchema.Definitions.Columns;
        var sql = version is null
            ? $"SELECT {columns} FROM {StoreSchema.Definitions.Table} WHERE definition_id = @id AND NOT is_deleted AND is_published ORDER BY version DESC LIMIT 1"
            : $"SELECT {columns} FROM {StoreSchema.Definitions.Table} WHERE definition_id = @id AND version = @v";
        if (session is null)
        {
            await _gate.WaitAsync(cancellationToken);
        }

        try
        {
            await using var command = _connection.CreateCommand();
            command.Transaction = session?.Transaction as SqliteTransaction;
            command.CommandText = sql;
            Add(command, "id", definitionId);
            if (version is { } v)
            {
                Add(command, "v", v);
            }

            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            return await reader.ReadAsync(cancellationToken) ? SqlReaders.Definition(reader) : null;
        }
        finally
        {
            if (session is null)
            {
                _gate.Release();
            }
        }
    }

    public override async Task<InstanceScope?> LoadScopeAsync(string instanceId, IReadOnlyCollection<string> nodeIds, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await using var command = _connection.CreateCommand();
            command.CommandText = $"SELECT input, variables, depth, correlation_id FROM {StoreSchema.Instances.Table} WHERE id = @i";
            Add(command, "i", instanceId);
            System.Text.Json.Nodes.JsonObject input, variables;
            int depth;
            string? correlationId;
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                if (!await reader.ReadAsync(cancellationToken))
                {
                    return null;
                }

                input = System.Text.Json.Nodes.JsonNode.Parse(reader.GetString(0)) as System.Text.Json.Nodes.JsonObject ?? [];
                variables = System.Text.Json.Nodes.JsonNode.Parse(reader.GetString(1)) as System.Text.Json.Nodes.JsonObject ?? [];
                depth = reader.GetInt32(2);
                correlationId = reader.IsDBNull(3) ? null : reader.GetString(3);
            }

            var nodes = new List<NodeStateRecord>();
            if (nodeIds.Count > 0)
            {
                await using var states = _connection.CreateCommand();
                states.CommandText = $"SELECT {StoreSchema.NodeStates.Columns} FROM {StoreSchema.NodeStates.Table} WHERE instance_id = @i AND node_id IN (SELECT value FROM json_each(@n))";
                Add(states, "i", instanceId);
                Add(states, "n", JsonSerializer.Serialize(nodeIds));
                await using var reader = await states.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    nodes.Add(SqlReaders.State(reader));
                }
            }

            return new InstanceScope(input, variables, depth, nodes) { CorrelationId = correlationId };
        }
        finally
        {
            _gate.Release();
        }
    }

    public override async Task<IReadOnlyList<ClaimedWork>> ClaimAsync(string owner, int max, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        await using var session = await BeginAsync(cancellationToken);
        var result = await ClaimInSessionAsync(session, owner, max, lease, cancellationToken);
        await session.CommitAsync(false, cancellationToken);
        return result;
    }

    private async Task<List<ClaimedWork>> ClaimInSessionAsync(StoreSession session, string owner, int max, TimeSpan lease, CancellationToken cancellationToken)
    {
        var now = session.Now.ToUnixTimeMilliseconds();
        var result = new List<ClaimedWork>();
        await using (var claim = session.Command($"""
            UPDATE {StoreSchema.WorkItems.Table} SET owner = @owner, claims = claims + 1, visible_at = @until
            WHERE id IN (SELECT id FROM {StoreSchema.WorkItems.Table} WHERE visible_at <= @now ORDER BY priority DESC, visible_at, id LIMIT @max)
            RETURNING {StoreSchema.WorkItems.ClaimedColumns}
            """))
        {
            Add(claim, "owner", owner);
            Add(claim, "until", (session.Now + lease).ToUnixTimeMilliseconds());
            Add(claim, "now", now);
            Add(claim, "max", max);
            await using var reader = await claim.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                result.Add(SqlReaders.Claimed(reader));
            }
        }

        if (result.Count > 0)
        {
            var writes = new PendingWrites();
            foreach (var item in result)
            {
                if (item.Claims > 1)
                {
                    writes.Journal.Add(new JournalRecord { InstanceId = item.InstanceId, NodeId = item.NodeId, Type = (int)JournalEventType.LeaseReclaimed, Attempt = item.Attempt, At = now, Worker = owner, Message = $"Claimed again (claim {item.Claims}): the previous lease expired or was released." });
                }

                if (!item.Resume)
                {
                    writes.Journal.Add(new JournalRecord { InstanceId = item.InstanceId, NodeId = item.NodeId, Type = (int)JournalEventType.NodeStarted, Attempt = item.Attempt, At = now, Worker = owner });
                }
            }

            await WriteAsync(session, writes, cancellationToken);
        }

        return result;
    }

    public override async Task<HashSet<long>> ExtendLeasesAsync(string owner, IReadOnlyList<ClaimedWork> items, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        var held = new HashSet<long>();
        await using var session = await BeginAsync(cancellationToken);
        await using (var command = session.Command($"UPDATE {StoreSchema.WorkItems.Table} SET visible_at = @until WHERE id = @id AND claims = @claims AND owner = @owner"))
        {
            Add(command, "until", (session.Now + lease).ToUnixTimeMilliseconds());
            Add(command, "owner", owner);
            var id = Add(command, "id", 0L);
            var claims = Add(command, "claims", 0);
            foreach (var item in items)
            {
                id.Value = item.Id;
                claims.Value = item.Claims;
                if (await command.ExecuteNonQueryAsync(cancellationToken) == 1)
                {
                    held.Add(item.Id);
                }
            }
        }

        await session.CommitAsync(false, cancellationToken);
        return held;
    }

    public override async Task ReleaseLeasesAsync(string owner, IReadOnlyList<ClaimedWork> items, CancellationToken cancellationToken = default)
    {
        await using var session = await BeginAsync(cancellationToken);
        await using (var command = session.Command($"UPDATE {StoreSchema.WorkItems.Table} SET visible_at = @now, owner = NULL WHERE owner = @owner AND (id, claims) IN (SELECT {SqliteRows.Col(0)}, {SqliteRows.Col(1)} FROM jsonb_each(@rows))"))
        {
            Add(command, "now", session.Now.ToUnixTimeMilliseconds());
            Add(command, "owner", owner);
            Add(command, "rows", SqliteRows.Pack(items, static (w, i) => { w.WriteNumberValue(i.Id); w.WriteNumberValue(i.Claims); }));
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await session.CommitAsync(true, cancellationToken);
    }

    public override async Task<long> QueueDepthAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await using var command = _connection.CreateCommand();
            command.CommandText = $"SELECT count(*) FROM {StoreSchema.WorkItems.Table} WHERE visible_at <= @now AND owner IS NULL";
            Add(command, "now", Time.GetUtcNow().ToUnixTimeMilliseconds());
            return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
        }
        finally
        {
            _gate.Release();
        }
    }

    public override async Task<DateTimeOffset?> NextVisibleAtAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await using var command = _connection.CreateCommand();
            command.CommandText = $"SELECT min(visible_at) FROM {StoreSchema.WorkItems.Table}";
            var value = await command.ExecuteScalarAsync(cancellationToken);
            return value is long ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
        }
        finally
        {
            _gate.Release();
        }
    }

    public override async Task<DefinitionRecord> InsertDefinitionAsync(string definitionId, string? name, bool publish, Func<int, string> jsonForVersion, CancellationToken cancellationToken = default, Func<CancellationToken, Task>? check = null)
    {
        await using var session = await BeginAsync(cancellationToken);
        if (check is not null)
        {
            await LockRoutesAsync(session, cancellationToken);
            await check(cancellationToken);
        }

        int version;
        await using (var max = session.Command($"SELECT coalesce(max(version), 0) + 1 FROM {StoreSchema.Definitions.Table} WHERE definition_id = @id"))
        {
            Add(max, "id", definitionId);
            version = Convert.ToInt32(await max.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
        }

        var record = new DefinitionRecord { DefinitionId = definitionId, Version = version, Name = name, Json = jsonForVersion(version), CreatedAt = session.Now.ToUnixTimeMilliseconds(), IsPublished = publish };
        if (publish)
        {
            await UnpublishAsync(session, definitionId, cancellationToken);
        }

        await using (var insert = session.Command($"INSERT INTO {StoreSchema.Definitions.Table} ({StoreSchema.Definitions.Columns}) VALUES (@id, @v, @n, @j, @c, 0, @p)"))
        {
            Set(Params(insert, "id", "v", "n", "j", "c", "p"), record.DefinitionId, record.Version, record.Name, record.Json, record.CreatedAt, record.IsPublished);
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        await session.CommitAsync(false, cancellationToken);
        return record;
    }

    public override async Task<int> PurgeFinishedAsync(DateTimeOffset finishedBefore, CancellationToken cancellationToken = default)
    {
        await using var session = await BeginAsync(cancellationToken);
        const string doomed = $"SELECT id FROM {StoreSchema.Instances.Table} WHERE status <> 0 AND finished_at < @cut";
        foreach (var table in new[] { StoreSchema.Journal.Table, StoreSchema.NodeStates.Table, StoreSchema.WorkItems.Table, StoreSchema.StartKeys.Table, "tf_event_waits" })
        {
            await using var c = session.Command($"DELETE FROM {table} WHERE instance_id IN ({doomed})");
            Add(c, "cut", finishedBefore.ToUnixTimeMilliseconds());
            await c.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var command = session.Command($"DELETE FROM {StoreSchema.Instances.Table} WHERE id IN ({doomed})");
        Add(command, "cut", finishedBefore.ToUnixTimeMilliseconds());
        var purged = await command.ExecuteNonQueryAsync(cancellationToken);
        await session.CommitAsync(false, cancellationToken);
        return purged;
    }

    private static DbParameter Add(DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
        return parameter;
    }

    private static DbParameter[] Params(DbCommand command, params string[] names) => names.Select(n => Add(command, n, null)).ToArray();

    private static void Set(DbParameter[] parameters, params object?[] values)
    {
        for (var i = 0; i < parameters.Length; i++)
        {
            parameters[i].Value = values[i] ?? DBNull.Value;
        }
    }

    private sealed class SqliteSession(SqliteEngineStore store, SqliteConnection connection, SqliteTransaction transaction, DateTimeOffset now)
        : StoreSession(connection, transaction, now)
    {
        private bool _disposed;

        public override DbCommand Command(string sql) => store._commands.Take(sql, (SqliteTransaction)Transaction);

        public override Task CommitAsync(bool newWork, CancellationToken cancellationToken)
        {
            Transaction.Commit();
            store._checkpointer?.Committed();
            return Task.CompletedTask;
        }

        public override async ValueTask DisposeAsync()
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            await Transaction.DisposeAsync();
            store._gate.Release();
        }
    }
}
