using System.Data.Common;

namespace TaskFlow.Chaos.Consistency;

/// <summary>
/// The invariants the engine's transactions keep, checked against the real schema with plain SQL
/// that runs on both providers. Anything found is a problem in words; an empty list is consistent.
/// </summary>
/// <remarks>
/// - No work item belongs to an instance that is missing or no longer running: finishing,
///   failing and cancelling an instance delete its queued work in the same transaction.
/// - Every running instance can still move: it has a work item (due, leased, a timer or a
///   parent's resume), an untaken wait (an event, an approval, an agent task) or a running child.
///   A running instance with none of these would wait forever.
/// - No node's transition (succeeded, failed, skipped) was journaled twice for one attempt, and no
///   instance succeeded or was cancelled twice: the lease check lets only the current claim
///   commit. (Failing twice is legitimate: retrying a failed node runs the instance again.)
/// </remarks>
public static class DatabaseConsistency
{
    private const string RunningStatus = "0";

    public static async Task<ConsistencyReport> CheckAsync(DbConnection connection, CancellationToken cancellationToken = default)
    {
        var problems = new List<string>();
        var doubled = new List<string>();
        await CollectAsync(connection, problems, $"""
            SELECT w.id, w.instance_id, w.node_id, i.status FROM tf_work_items w
            LEFT JOIN tf_instances i ON i.id = w.instance_id
            WHERE i.id IS NULL OR i.status <> {RunningStatus}
            """, r => $"work item {r.GetInt64(0)} ({r.GetString(1)}/{r.GetString(2)}) belongs to an instance that is " + (r.IsDBNull(3) ? "missing" : $"not running (status {r.GetInt32(3)})"), cancellationToken);
        await CollectAsync(connection, problems, $"""
            SELECT i.id FROM tf_instances i
            WHERE i.status = {RunningStatus}
              AND NOT EXISTS (SELECT 1 FROM tf_work_items w WHERE w.instance_id = i.id)
              AND NOT EXISTS (SELECT 1 FROM tf_event_waits e WHERE e.instance_id = i.id AND e.taken = 0)
              AND NOT EXISTS (SELECT 1 FROM tf_instances c WHERE c.parent_instance_id = i.id AND c.status = {RunningStatus})
            """, r => $"instance {r.GetString(0)} is running with no work item, no waiting node and no running child: nothing can resume it", cancellationToken);
        await CollectAsync(connection, doubled, """
            SELECT instance_id, node_id, attempt, type, COUNT(*) FROM tf_journal
            WHERE type IN (12, 13, 15)
            GROUP BY instance_id, node_id, attempt, type HAVING COUNT(*) > 1
            """, r => $"instance {r.GetString(0)} node {r.GetString(1)} attempt {r.GetInt32(2)}: transition {(Core.Scheduling.JournalEventType)r.GetInt32(3)} journaled {r.GetInt64(4)} times", cancellationToken);
        await CollectAsync(connection, doubled, """
            SELECT instance_id, type, COUNT(*) FROM tf_journal
            WHERE type IN (1, 3)
            GROUP BY instance_id, type HAVING COUNT(*) > 1
            """, r => $"instance {r.GetString(0)}: {(Core.Scheduling.JournalEventType)r.GetInt32(1)} journaled {r.GetInt64(2)} times", cancellationToken);
        return new ConsistencyReport(problems, doubled);
    }

    private static async Task CollectAsync(DbConnection connection, List<string> problems, string sql, Func<DbDataReader, string> describe, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            problems.Add(describe(reader));
        }
    }
}
