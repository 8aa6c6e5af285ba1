using System.Data;
using System.Data.Common;
using System.Text.Json.Nodes;
using TaskFlow.Core.Activities;
using TaskFlow.Core.Events;
using TaskFlow.Core.Graph;
using TaskFlow.Core.Scheduling;
using TaskFlow.Engine.Events;

namespace TaskFlow.Engine.Persistence;

// Event subscriptions (tf_event_waits). A row is written in the same transaction as its node's
// wait, and is the one thing every way of ending that wait competes for: an event, the resume
// token and the timeout each mark it taken with a conditional update (taken = 0), so exactly one
// of them wins, on any number of servers sharing the database. The winner's resume is queued in
// that same transaction; the row goes when the node leaves the waiting state.
public abstract partial class EngineStore
{
    private const int NotTaken = 0;
    private const int TakenByEvent = 1;
    private const int TakenByTimeout = 2;
    private const int TakenByDecision = 3;

    /// <summary>
    /// Resumes every node waiting for <paramref name="name"/> that matches: a node that waits with a
    /// correlation only for an event carrying the same one; with <paramref name="instanceId"/>, only
    /// that instance's nodes. Each node is resumed at most once, whichever server gets the event.
    /// </summary>
    public async Task<IReadOnlyList<ResumedWait>> DeliverEventAsync(string name, string? correlation, string? instanceId, JsonNode? payload, CancellationToken cancellationToken = default)
    {
        await using var session = await BeginAsync(cancellationToken);
        var sql = "UPDATE tf_event_waits SET taken = @taken WHERE taken = 0 AND kind = 0 AND name = @name"
            + (correlation is null ? " AND correlation IS NULL" : " AND (correlation IS NULL OR correlation = @correlation)")
            + (instanceId is null ? "" : " AND instance_id = @instance")
            + " RETURNING instance_id, node_id, attempt, definition_id, definition_version";
        await using var command = session.Command(sql);
        AddParameter(command, "taken", TakenByEvent);
        AddParameter(command, "name", name);
        if (correlation is not null)
        {
            AddParameter(command, "correlation", correlation);
        }

        if (instanceId is not null)
        {
            AddParameter(command, "instance", instanceId);
        }

        var resumed = await ResumeTakenAsync(session, command, new JsonObject { ["event"] = name, ["correlation"] = correlation, ["payload"] = payload?.DeepClone() }, cancellationToken);
        return resumed;
    }

    /// <summary>
    /// Keeps an event that matched nothing for <paramref name="keepFor"/>, for a node that starts
    /// waiting later and takes earlier events; returns when it expires. Expired events go here too.
    /// </summary>
    public async Task<DateTimeOffset> KeepEventAsync(string name, string? correlation, string? instanceId, JsonNode? payload, TimeSpan keepFor, CancellationToken cancellationToken = default)
    {
        var id = Guid.CreateVersion7().ToString();
        var expires = await InsertKeptEventAsync(id, name, correlation, instanceId, payload, keepFor, cancellationToken);
        await MatchKeptAsync(waitToken: null, eventId: id, cancellationToken);
        return expires;
    }

    private async Task<DateTimeOffset> InsertKeptEventAsync(string id, string name, string? correlation, string? instanceId, JsonNode? payload, TimeSpan keepFor, CancellationToken cancellationToken)
    {
        await using var session = await BeginAsync(cancellationToken);
        var now = session.Now.ToUnixTimeMilliseconds();
        await using (var expired = session.Command("DELETE FROM tf_events WHERE expires_at <= @now"))
        {
            AddParameter(expired, "now", now);
            await expired.ExecuteNonQueryAsync(cancellationToken);
        }

        var expires = session.Now + keepFor;
        await using var insert = session.Command("INSERT INTO tf_events (id, name, correlation, instance_id, payload, received_at, expires_at) VALUES (@id, @name, @correlation, @instance, @payload, @now, @expires)");
        AddParameter(insert, "id", id);
        AddParameter(insert, "name", name);
        AddText(insert, "correlation", correlation);
        AddText(insert, "instance", instanceId);
        AddText(insert, "payload", payload?.ToJsonString());
        AddParameter(insert, "now", now);
        AddParameter(insert, "expires", expires.ToUnixTimeMilliseconds());
        await insert.ExecuteNonQueryAsync(cancellationToken);
        await session.CommitAsync(false, cancellationToken);
        return expires;
    }

    // A kept event and a node that starts waiting for it at the same moment could miss each other:
    // each commits without seeing the other. So each side looks for the other AFTER its own commit
    // (the event side for a waiting node, the node side for a kept event): whichever commits second
    // is sure to see the first. Taking both the wait (taken = 0) and the event (delete) in one
    // transaction keeps it to one match, whoever looks.

    /// <summary>After the commit that stored them: gives each new wait that takes earlier events the oldest kept event it matches.</summary>
    private async Task TakeKeptEventsAsync(IReadOnlyList<string> waitTokens, CancellationToken cancellationToken)
    {
        foreach (var token in waitTokens)
        {
            await MatchKeptAsync(token, eventId: null, cancellationToken);
        }
    }

    /// <summary>Matches one wait (by token) or one kept event (by id) with a counterpart, if there is one, and resumes the node.</summary>
    private async Task MatchKeptAsync(string? waitToken, string? eventId, CancellationToken cancellationToken)
    {
        await using var session = await BeginAsync(cancellationToken);
        // Event side: the oldest waiting node whose window covers the event. Node side: the oldest
        // kept event in the node's window. Correlation and instance matching mirror live delivery.
        const string Match = """
            w.taken = 0 AND w.kind = 0 AND w.earlier_ms IS NOT NULL AND w.name = e.name
            AND e.expires_at > @now AND e.received_at >= w.created_at - w.earlier_ms
            AND (w.correlation IS NULL OR w.correlation = e.correlation)
            AND (e.instance_id IS NULL OR e.instance_id = w.instance_id)
            """;
        await using var find = session.Command($"SELECT w.token, e.id FROM tf_event_waits w JOIN tf_events e ON {Match} WHERE "
            + (waitToken is not null ? "w.token = @key ORDER BY e.received_at, e.id" : "e.id = @key ORDER BY w.created_at, w.token")
            + " LIMIT 1");
        AddParameter(find, "now", session.Now.ToUnixTimeMilliseconds());
        AddParameter(find, "key", waitToken ?? eventId);
        string token, id;
        await using (var reader = await find.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken))
            {
                return;
            }

            (token, id) = (reader.GetString(0), reader.GetString(1));
        }

        await using var taken = session.Command("DELETE FROM tf_events WHERE id = @id RETURNING name, correlation, payload");
        AddParameter(taken, "id", id);
        JsonObject payload;
        await using (var reader = await taken.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken))
            {
                // Someone else took the event first; nothing changes.
                return;
            }

            payload = new JsonObject
            {
                ["event"] = reader.GetString(0),
                ["correlation"] = reader.IsDBNull(1) ? null : reader.GetString(1),
                ["payload"] = reader.IsDBNull(2) ? null : JsonNode.Parse(reader.GetString(2)),
                ["kept"] = true,
            };
        }

        await using var wait = session.Command("UPDATE tf_event_waits SET taken = @taken WHERE taken = 0 AND token = @token RETURNING instance_id, node_id, attempt, definition_id, definition_version");
        AddParameter(wait, "taken", TakenByEvent);
        AddParameter(wait, "token", token);
        // No commit when the wait was taken meanwhile: the event's delete rolls back and it stays kept.
        await ResumeTakenAsync(session, wait, payload, cancellationToken);
    }

    /// <summary>Resumes the one node waiting under <paramref name="token"/>; null when the token is unknown or already used.</summary>
    public async Task<ResumedWait?> ResumeByTokenAsync(string token, JsonNode? payload, CancellationToken cancellationToken = default)
    {
        await using var session = await BeginAsync(cancellationToken);
        await using var command = session.Command("UPDATE tf_event_waits SET taken = @taken WHERE taken = 0 AND kind = 0 AND token = @token RETURNING instance_id, node_id, attempt, definition_id, definition_version");
        AddParameter(command, "taken", TakenByEvent);
        AddParameter(command, "token", token);
        var resumed = await ResumeTakenAsync(session, command, new JsonObject { ["token"] = true, ["payload"] = payload?.DeepClone() }, cancellationToken);
        return resumed.Count == 0 ? null : resumed[0];
    }

    /// <summary>
    /// Called by a waiting node whose timeout fired: true when the timeout wins the wait (or won it
    /// in an earlier attempt of the same resume), false when an event took it first and its resume is queued.
    /// </summary>
    public async Task<bool> TakeWaitForTimeoutAsync(string instanceId, string nodeId, int attempt, CancellationToken cancellationToken = default)
    {
        await using var session = await BeginAsync(cancellationToken);
        await using (var take = session.Command("UPDATE tf_event_waits SET taken = @taken WHERE taken = 0 AND instance_id = @instance AND node_id = @node AND attempt = @attempt"))
        {
            AddParameter(take, "taken", TakenByTimeout);
            AddParameter(take, "instance", instanceId);
            AddParameter(take, "node", nodeId);
            AddParameter(take, "attempt", attempt);
            await take.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var read = session.Command("SELECT taken FROM tf_event_waits WHERE instance_id = @instance AND node_id = @node AND attempt = @attempt");
        AddParameter(read, "instance", instanceId);
        AddParameter(read, "node", nodeId);
        AddParameter(read, "attempt", attempt);
        var taken = await read.ExecuteScalarAsync(cancellationToken);
        await session.CommitAsync(false, cancellationToken);
        return taken is not null and not DBNull && Convert.ToInt32(taken, System.Globalization.CultureInfo.InvariantCulture) == TakenByTimeout;
    }

    /// <summary>Nodes waiting for an event and not yet resumed, oldest first; filtered by instance and/or name.</summary>
    public async Task<IReadOnlyList<EventWaitView>> ListWaitsAsync(string? instanceId, string? name, int take, CancellationToken cancellationToken = default)
    {
        await using var session = await BeginAsync(cancellationToken);
        await using var command = session.Command("SELECT token, instance_id, node_id, name, correlation, created_at FROM tf_event_waits WHERE taken = 0 AND kind = 0"
            + (instanceId is null ? "" : " AND instance_id = @instance")
            + (name is null ? "" : " AND name = @name")
            + " ORDER BY created_at, token LIMIT @take");
        if (instanceId is not null)
        {
            AddParameter(command, "instance", instanceId);
        }

        if (name is not null)
        {
            AddParameter(command, "name", name);
        }

        AddParameter(command, "take", take);
        var waits = new List<EventWaitView>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                waits.Add(new EventWaitView(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetString(4), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5))));
            }
        }

        await session.CommitAsync(false, cancellationToken);
        return waits;
    }

    private async Task<IReadOnlyList<ResumedWait>> ResumeTakenAsync(StoreSession session, DbCommand take, JsonObject payload, CancellationToken cancellationToken, Func<ResumedWait, int, JournalRecord>? journal = null)
    {
        var writes = new PendingWrites();
        var resumed = new List<ResumedWait>();
        await using (var reader = await take.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var wait = new ResumedWait(reader.GetString(0), reader.GetString(1));
                resumed.Add(wait);
                if (journal is not null)
                {
                    writes.Journal.Add(journal(wait, reader.GetInt32(2)));
                }

                writes.Work.Add(new NewWork
                {
                    Record = new WorkItemRecord
                    {
                        InstanceId = wait.InstanceId,
                        NodeId = wait.NodeId,
                        Attempt = reader.GetInt32(2),
                        Priority = 100,
                        VisibleAt = session.Now.ToUnixTimeMilliseconds(),
                        Resume = true,
                        Payload = payload.ToJsonString(),
                        DefinitionId = reader.GetString(3),
                        DefinitionVersion = reader.GetInt32(4),
                    },
                });
            }
        }

        if (resumed.Count == 0)
        {
            return resumed;
        }

        foreach (var work in writes.Work)
        {
            // The node's timeout timer, still queued, would only find the wait taken: drop it now
            // rather than let it sit in the queue until it is due. A timer already running is left be.
            await using var timer = session.Command("DELETE FROM tf_work_items WHERE instance_id = @instance AND node_id = @node AND attempt = @attempt AND claims = 0");
            AddParameter(timer, "instance", work.Record.InstanceId);
            AddParameter(timer, "node", work.Record.NodeId);
            AddParameter(timer, "attempt", work.Record.Attempt);
            await timer.ExecuteNonQueryAsync(cancellationToken);
        }

        // The resume goes through the queue, as a child's outcome does: no instance lock is taken
        // here, and the timer of a node with a timeout stays harmless (it finds the wait taken).
        writes.HasVisibleWork = true;
        await WriteAsync(session, writes, cancellationToken);
        await session.CommitAsync(!writes.NotifyQueued, cancellationToken);
        RaiseWork(writes);
        return resumed;
    }

    private static async Task InsertWaitsAsync(StoreSession session, string instanceId, WorkflowGraph graph, IReadOnlyList<WaitRequest> waits, PendingWrites writes, CancellationToken cancellationToken)
    {
        foreach (var wait in waits)
        {
            await using var command = session.Command("""
                INSERT INTO tf_event_waits (token, instance_id, node_id, attempt, name, correlation, definition_id, definition_version, taken, created_at, kind, details, earlier_ms)
                VALUES (@token, @instance, @node, @attempt, @name, @correlation, @definition, @version, 0, @now, @kind, @details, @earlier)
                """);
            AddParameter(command, "token", wait.Wait.Token);
            AddParameter(command, "instance", instanceId);
            AddParameter(command, "node", wait.NodeId);
            AddParameter(command, "attempt", wait.Attempt);
            AddParameter(command, "name", wait.Wait.Name);
            AddText(command, "correlation", wait.Wait.Correlation);
            AddParameter(command, "definition", graph.Id);
            AddParameter(command, "version", graph.Version);
            AddParameter(command, "now", session.Now.ToUnixTimeMilliseconds());
            AddParameter(command, "kind", (int)wait.Wait.Kind);
            AddText(command, "details", wait.Wait.Details?.ToJsonString());
            var earlier = command.CreateParameter();
            earlier.ParameterName = "earlier";
            earlier.DbType = DbType.Int64;
            earlier.Value = wait.Wait is { Kind: WaitKind.Event, Earlier: { } window } ? (long)window.TotalMilliseconds : DBNull.Value;
            command.Parameters.Add(earlier);
            await command.ExecuteNonQueryAsync(cancellationToken);
            if (wait.Wait is { Kind: WaitKind.Event, Earlier: not null })
            {
                writes.EarlierWaits.Add(wait.Wait.Token);
            }
        }
    }

    private static void AddText(DbCommand command, string name, string? value)
    {
        // Typed, so PostgreSQL knows a null's type.
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.DbType = DbType.String;
        parameter.Value = (object?)value ?? DBNull.Value;
        command.Parameters.Add(parameter);
    }

    /// <summary>
    /// Removes the subscriptions of nodes that stopped waiting (all of an instance's when
    /// <paramref name="nodeIds"/> is null). A decided approval or finished agent task stays (until the retention purge takes
    /// its instance), so a second decision is told it came too late (409) rather than that the
    /// approval never existed.
    /// </summary>
    private static async Task DeleteWaitsAsync(StoreSession session, string instanceId, IReadOnlyList<string>? nodeIds, CancellationToken cancellationToken)
    {
        if (nodeIds is { Count: 0 })
        {
            return;
        }

        await using var command = session.Command("DELETE FROM tf_event_waits WHERE instance_id = @instance AND NOT (kind IN (1, 2) AND taken <> 0)"
            + (nodeIds is null ? "" : $" AND node_id IN ({string.Join(", ", nodeIds.Select((_, i) => $"@n{i}"))})"));
        AddParameter(command, "instance", instanceId);
        for (var i = 0; i < (nodeIds?.Count ?? 0); i++)
        {
            AddParameter(command, $"n{i}", nodeIds![i]);
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>True when a node of the graph can wait for an event or an approval (itself, or as a foreach body).</summary>
    // Asked on every commit: looked up once per compiled graph, not once per commit over all its nodes.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<WorkflowGraph, object> WaitingGraphs = new();

    private static bool CanWaitForEvents(WorkflowGraph graph) =>
        (bool)WaitingGraphs.GetValue(graph, static g => g.Nodes.Any(n => IsWaitingType(n.Type) || IsWaitingType(n.BodyType)));

    private static bool IsWaitingType(string? type) => type is BuiltInActivities.Event or BuiltInActivities.Approval or BuiltInActivities.Agent;
}
