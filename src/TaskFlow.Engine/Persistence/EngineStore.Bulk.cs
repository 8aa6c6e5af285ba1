using TaskFlow.Engine.BulkOperations;

namespace TaskFlow.Engine.Persistence;

// Bulk operations: one row in tf_bulk_operations and one row per targeted instance in
// tf_bulk_results, written together before the operation is announced, so a restarted server
// resumes from the rows still pending. A result is written only over a pending one: when two
// processes work on the same operation, the first result for an instance is the one kept.
public abstract partial class EngineStore
{
    /// <summary>Stores a new operation with a pending result for each instance id, in one transaction.</summary>
    public async Task<string> InsertBulkOperationAsync(BulkOperationKind kind, string request, IReadOnlyList<string> instanceIds, CancellationToken cancellationToken = default)
    {
        await using var session = await BeginAsync(cancellationToken);
        var id = Guid.CreateVersion7().ToString();
        await using (var operation = session.Command("INSERT INTO tf_bulk_operations (id, kind, status, request, total, created_at) VALUES (@id, @k, 0, @r, @t, @c)"))
        {
            AddParameter(operation, "id", id);
            AddParameter(operation, "k", (int)kind);
            AddParameter(operation, "r", request);
            AddParameter(operation, "t", instanceIds.Count);
            AddParameter(operation, "c", session.Now.ToUnixTimeMilliseconds());
            await operation.ExecuteNonQueryAsync(cancellationToken);
        }

        // Rows in chunks: a few statements for thousands of instances.
        const int chunk = 200;
        for (var start = 0; start < instanceIds.Count; start += chunk)
        {
            var count = Math.Min(chunk, instanceIds.Count - start);
            var values = string.Join(", ", Enumerable.Range(0, count).Select(n => $"(@op, @p{n}, @i{n}, 0)"));
            await using var rows = session.Command($"INSERT INTO tf_bulk_results (operation_id, position, instance_id, outcome) VALUES {values}");
            AddParameter(rows, "op", id);
            for (var n = 0; n < count; n++)
            {
                AddParameter(rows, "p" + n, start + n);
                AddParameter(rows, "i" + n, instanceIds[start + n]);
            }

            await rows.ExecuteNonQueryAsync(cancellationToken);
        }

        await session.CommitAsync(false, cancellationToken);
        return id;
    }

    /// <summary>Ids of operations that still have pending results (to resume after a restart).</summary>
    public async Task<IReadOnlyList<string>> RunningBulkOperationsAsync(CancellationToken cancellationToken = default)
    {
        await using var session = await BeginAsync(cancellationToken);
        await using var command = session.Command("SELECT id FROM tf_bulk_operations WHERE status = 0 ORDER BY created_at, id");
        var ids = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                ids.Add(reader.GetString(0));
            }
        }

        await session.CommitAsync(false, cancellationToken);
        return ids;
    }

    /// <summary>The operation's kind and up to <paramref name="take"/> pending results (position, instance), in order; null when unknown.</summary>
    public async Task<(BulkOperationKind Kind, IReadOnlyList<(int Position, string InstanceId)> Pending)?> PendingBulkResultsAsync(string operationId, int take, CancellationToken cancellationToken = default)
    {
        await using var session = await BeginAsync(cancellationToken);
        await using var kindCommand = session.Command("SELECT kind FROM tf_bulk_operations WHERE id = @id");
        AddParameter(kindCommand, "id", operationId);
        if (await kindCommand.ExecuteScalarAsync(cancellationToken) is not { } kind)
        {
            return null;
        }

        await using var command = session.Command("SELECT position, instance_id FROM tf_bulk_results WHERE operation_id = @id AND outcome = 0 ORDER BY position LIMIT @take");
        AddParameter(command, "id", operationId);
        AddParameter(command, "take", take);
        var pending = new List<(int, string)>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                pending.Add((reader.GetInt32(0), reader.GetString(1)));
            }
        }

        await session.CommitAsync(false, cancellationToken);
        return ((BulkOperationKind)Convert.ToInt32(kind, System.Globalization.CultureInfo.InvariantCulture), pending);
    }

    /// <summary>Records the result for one instance, unless one is recorded already.</summary>
    public async Task RecordBulkResultAsync(string operationId, int position, BulkOutcome outcome, string? reason, CancellationToken cancellationToken = default)
    {
        await using var session = await BeginAsync(cancellationToken);
        await using var command = session.Command("UPDATE tf_bulk_results SET outcome = @o, reason = @r WHERE operation_id = @id AND position = @p AND outcome = 0");
        AddParameter(command, "o", (int)outcome);
        AddParameter(command, "r", reason);
        AddParameter(command, "id", operationId);
        AddParameter(command, "p", position);
        await command.ExecuteNonQueryAsync(cancellationToken);
        await session.CommitAsync(false, cancellationToken);
    }

    /// <summary>Marks the operation completed once no result is pending.</summary>
    public async Task CompleteBulkOperationAsync(string operationId, CancellationToken cancellationToken = default)
    {
        await using var session = await BeginAsync(cancellationToken);
        await using var command = session.Command("UPDATE tf_bulk_operations SET status = 1, finished_at = @f WHERE id = @id AND status = 0 AND NOT EXISTS (SELECT 1 FROM tf_bulk_results WHERE operation_id = @id AND outcome = 0)");
        AddParameter(command, "f", session.Now.ToUnixTimeMilliseconds());
        AddParameter(command, "id", operationId);
        await command.ExecuteNonQueryAsync(cancellationToken);
        await session.CommitAsync(false, cancellationToken);
    }

    /// <summary>
    /// Deletes the operations completed before <paramref name="finishedBefore"/>, with their results;
    /// returns how many operations. Running operations are kept, however old.
    /// </summary>
    public async Task<int> PurgeBulkOperationsAsync(DateTimeOffset finishedBefore, CancellationToken cancellationToken = default)
    {
        await using var session = await BeginAsync(cancellationToken);
        const string Done = "SELECT id FROM tf_bulk_operations WHERE status = 1 AND finished_at < @b";
        await using (var results = session.Command($"DELETE FROM tf_bulk_results WHERE operation_id IN ({Done})"))
        {
            AddParameter(results, "b", finishedBefore.ToUnixTimeMilliseconds());
            await results.ExecuteNonQueryAsync(cancellationToken);
        }

        int purged;
        await using (var operations = session.Command("DELETE FROM tf_bulk_operations WHERE status = 1 AND finished_at < @b"))
        {
            AddParameter(operations, "b", finishedBefore.ToUnixTimeMilliseconds());
            purged = await operations.ExecuteNonQueryAsync(cancellationToken);
        }

        await session.CommitAsync(false, cancellationToken);
        return purged;
    }

    /// <summary>The operation with its counts and, when <paramref name="withResults"/>, every result in order; null when unknown.</summary>
    public async Task<BulkOperationView?> GetBulkOperationAsync(string operationId, bool withResults, CancellationToken cancellationToken = default)
    {
        await using var session = await BeginAsync(cancellationToken);
        await using var command = session.Command("SELECT kind, status, total, created_at, finished_at FROM tf_bulk_operations WHERE id = @id");
        AddParameter(command, "id", operationId);
        BulkOperationView view;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken))
            {
                return null;
            }

            view = new BulkOperationView(
                operationId,
                (BulkOperationKind)reader.GetInt32(0),
                (BulkOperationStatus)reader.GetInt32(1),
                reader.GetInt32(2),
                0,
                0,
                0,
                0,
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)),
                reader.IsDBNull(4) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)),
                []);
        }

        await using var counts = session.Command("SELECT outcome, count(*) FROM tf_bulk_results WHERE operation_id = @id GROUP BY outcome");
        AddParameter(counts, "id", operationId);
        var byOutcome = new Dictionary<BulkOutcome, int>();
        await using (var reader = await counts.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                byOutcome[(BulkOutcome)reader.GetInt32(0)] = Convert.ToInt32(reader.GetValue(1), System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        var results = new List<BulkResultView>();
        if (withResults)
        {
            await using var rows = session.Command("SELECT instance_id, outcome, reason FROM tf_bulk_results WHERE operation_id = @id ORDER BY position");
            AddParameter(rows, "id", operationId);
            await using var reader = await rows.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                results.Add(new BulkResultView(reader.GetString(0), (BulkOutcome)reader.GetInt32(1), reader.IsDBNull(2) ? null : reader.GetString(2)));
            }
        }

        await session.CommitAsync(false, cancellationToken);
        return view with
        {
            Done = byOutcome.GetValueOrDefault(BulkOutcome.Done),
            Skipped = byOutcome.GetValueOrDefault(BulkOutcome.Skipped),
            Failed = byOutcome.GetValueOrDefault(BulkOutcome.Failed),
            Pending = byOutcome.GetValueOrDefault(BulkOutcome.Pending),
            Results = results,
        };
    }

    /// <summary>
    /// Deletes a finished instance with its states, journal, work, waits and start keys, and its
    /// child instances likewise. Null when done; otherwise why nothing was deleted.
    /// </summary>
    public async Task<string?> DeleteFinishedInstanceAsync(string instanceId, CancellationToken cancellationToken = default)
    {
        await using var session = await BeginAsync(cancellationToken);
        var locked = await LockInstancesAsync(session, [instanceId], cancellationToken);
        if (!locked.TryGetValue(instanceId, out var instance))
        {
            return $"Instance '{instanceId}' is not stored.";
        }

        if (instance.Status == (int)Core.Model.InstanceStatus.Running)
        {
            return $"Instance '{instanceId}' is Running; only a finished instance is deleted (cancel it first).";
        }

        // The instance and its descendants, level by level (children of a finished instance have finished too).
        var doomed = new List<string> { instanceId };
        var level = new List<string> { instanceId };
        while (level.Count > 0 && doomed.Count < 100_000)
        {
            var next = new List<string>();
            foreach (var parent in level)
            {
                await using var children = session.Command("SELECT id FROM tf_instances WHERE parent_instance_id = @p");
                AddParameter(children, "p", parent);
                await using var reader = await children.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    next.Add(reader.GetString(0));
                }
            }

            doomed.AddRange(next);
            level = next;
        }

        foreach (var id in doomed)
        {
            foreach (var table in new[] { "tf_journal", "tf_node_states", "tf_work_items", "tf_start_keys", "tf_event_waits" })
            {
                await using var delete = session.Command($"DELETE FROM {table} WHERE instance_id = @i");
                AddParameter(delete, "i", id);
                await delete.ExecuteNonQueryAsync(cancellationToken);
            }

            await using var row = session.Command("DELETE FROM tf_instances WHERE id = @i");
            AddParameter(row, "i", id);
            await row.ExecuteNonQueryAsync(cancellationToken);
        }

        await session.CommitAsync(false, cancellationToken);
        return null;
    }
}
