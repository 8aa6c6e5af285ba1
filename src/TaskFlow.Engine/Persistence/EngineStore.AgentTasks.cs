using System.Buffers.Text;
using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using TaskFlow.Core.Scheduling;
using TaskFlow.Engine.AgentTasks;

namespace TaskFlow.Engine.Persistence;

// Agent tasks are waits of kind 2 in tf_event_waits. A claim sets a lease on the row with one
// conditional update (only when no unexpired lease holds it), and a completion or failure takes the
// row (only with the current, unexpired lease), so across servers sharing one database each task is
// held by one agent at a time and finished once. The wait's token is the task's id.
public abstract partial class EngineStore
{
    private const int TakenByCompletion = 4;
    private const int TakenByFailure = 5;

    private const string AgentTaskColumns = "token, instance_id, node_id, details, created_at, taken, claimed_by, lease_until, lease_token";

    /// <summary>
    /// Agent tasks, oldest first: of one status when given, else those not finished; with
    /// <paramref name="correlationId"/>, only those of instances with that correlation id (child
    /// instances inherit their parent's); with <paramref name="instanceId"/>, only that instance's.
    /// </summary>
    public async Task<IReadOnlyList<AgentTaskView>> ListAgentTasksAsync(AgentTaskStatus? status, int take, CancellationToken cancellationToken = default, string? correlationId = null, string? instanceId = null)
    {
        await using var session = await BeginAsync(cancellationToken);
        var where = status switch
        {
            AgentTaskStatus.Ready => "taken = 0 AND (lease_until IS NULL OR lease_until <= @now)",
            AgentTaskStatus.Claimed => "taken = 0 AND lease_until > @now",
            AgentTaskStatus.Completed => $"taken = {TakenByCompletion}",
            AgentTaskStatus.Failed => $"taken = {TakenByFailure}",
            AgentTaskStatus.TimedOut => $"taken = {TakenByTimeout}",
            _ => "taken = 0",
        };
        var correlated = (correlationId is null ? "" : " AND instance_id IN (SELECT id FROM tf_instances WHERE correlation_id = @correlation)")
            + (instanceId is null ? "" : " AND instance_id = @instance");
        await using var command = session.Command($"SELECT {AgentTaskColumns} FROM tf_event_waits WHERE kind = 2 AND {where}{correlated} ORDER BY created_at, token LIMIT @take");
        AddParameter(command, "now", session.Now.ToUnixTimeMilliseconds());
        if (correlationId is not null)
        {
            AddParameter(command, "correlation", correlationId);
        }

        if (instanceId is not null)
        {
            AddParameter(command, "instance", instanceId);
        }

        AddParameter(command, "take", take);
        var tasks = await ReadAgentTasksAsync(command, session.Now, cancellationToken);
        await session.CommitAsync(false, cancellationToken);
        return tasks.Select(t => t.Task).ToList();
    }

    /// <summary>One agent task, finished or not; null when unknown (or its node no longer waits).</summary>
    public async Task<AgentTaskView?> GetAgentTaskAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var session = await BeginAsync(cancellationToken);
        var found = await ReadAgentTaskAsync(session, id, cancellationToken);
        await session.CommitAsync(false, cancellationToken);
        return found?.Task;
    }

    /// <summary>
    /// Claims a ready task for <paramref name="agent"/> for <paramref name="lease"/>: answers a new
    /// lease token, or why not (unknown, finished, claimed by another agent whose lease holds).
    /// </summary>
    /// <remarks>
    /// A claim by the agent whose unexpired lease already holds the task answers that lease again,
    /// renewed for <paramref name="lease"/>: a claim whose answer was lost (a timeout, a process
    /// killed while it waited) can simply be repeated, and the first answer, if it did arrive, stays
    /// good.
    /// </remarks>
    public async Task<AgentTaskAnswer> ClaimAgentTaskAsync(string id, string agent, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        await using var session = await BeginAsync(cancellationToken);
        var now = session.Now.ToUnixTimeMilliseconds();
        var token = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));
        await using var command = session.Command("""
            UPDATE tf_event_waits
            SET lease_token = CASE WHEN claimed_by = @agent AND lease_until > @now THEN lease_token ELSE @lease END,
                lease_until = @until, claimed_by = @agent
            WHERE token = @token AND kind = 2 AND taken = 0 AND (lease_until IS NULL OR lease_until <= @now OR claimed_by = @agent)
            """);
        AddParameter(command, "lease", token);
        AddParameter(command, "until", now + (long)lease.TotalMilliseconds);
        AddParameter(command, "agent", agent);
        AddParameter(command, "token", id);
        AddParameter(command, "now", now);
        var claimed = await command.ExecuteNonQueryAsync(cancellationToken) == 1;
        var found = await ReadAgentTaskAsync(session, id, cancellationToken);
        await session.CommitAsync(false, cancellationToken);
        if (claimed)
        {
            return new AgentTaskAnswer(AgentTaskRefusal.None, found!.Value.Task, found.Value.LeaseToken ?? token);
        }

        return new AgentTaskAnswer(
            found is null ? AgentTaskRefusal.Unknown : found.Value.Task.Status == AgentTaskStatus.Claimed ? AgentTaskRefusal.Claimed : AgentTaskRefusal.Finished,
            found?.Task);
    }

    /// <summary>Renews the lease <paramref name="leaseToken"/> for <paramref name="lease"/> from now, if it is current and has not expired.</summary>
    public async Task<AgentTaskAnswer> RenewAgentTaskAsync(string id, string leaseToken, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        await using var session = await BeginAsync(cancellationToken);
        var now = session.Now.ToUnixTimeMilliseconds();
        await using var command = session.Command(
            "UPDATE tf_event_waits SET lease_until = @until WHERE token = @token AND kind = 2 AND taken = 0 AND lease_token = @lease AND lease_until > @now");
        AddParameter(command, "until", now + (long)lease.TotalMilliseconds);
        AddParameter(command, "token", id);
        AddParameter(command, "lease", leaseToken);
        AddParameter(command, "now", now);
        var renewed = await command.ExecuteNonQueryAsync(cancellationToken) == 1;
        var found = await ReadAgentTaskAsync(session, id, cancellationToken);
        await session.CommitAsync(false, cancellationToken);
        return renewed ? new AgentTaskAnswer(AgentTaskRefusal.None, found!.Value.Task, leaseToken) : Refused(found, leaseToken);
    }

    /// <summary>
    /// Finishes a task held under <paramref name="leaseToken"/>: takes it (only with the current,
    /// unexpired lease), queues its node's resume with the outcome and writes who finished it to the
    /// journal, all in one transaction. Otherwise answers why not, and nothing changes.
    /// </summary>
    public async Task<AgentTaskAnswer> FinishAgentTaskAsync(string id, string leaseToken, bool completed, JsonNode? result, CancellationToken cancellationToken = default)
    {
        await using var session = await BeginAsync(cancellationToken);
        var before = await ReadAgentTaskAsync(session, id, cancellationToken);
        await using var command = session.Command("""
            UPDATE tf_event_waits SET taken = @taken
            WHERE token = @token AND kind = 2 AND taken = 0 AND lease_token = @lease AND lease_until > @now
            RETURNING instance_id, node_id, attempt, definition_id, definition_version
            """);
        AddParameter(command, "taken", completed ? TakenByCompletion : TakenByFailure);
        AddParameter(command, "token", id);
        AddParameter(command, "lease", leaseToken);
        AddParameter(command, "now", session.Now.ToUnixTimeMilliseconds());
        var agent = before?.Task.ClaimedBy ?? "an agent";
        var at = session.Now;
        var payload = new JsonObject
        {
            ["agent"] = new JsonObject
            {
                ["status"] = completed ? "completed" : "failed",
                [completed ? "output" : "error"] = result?.DeepClone(),
                ["by"] = agent,
                ["at"] = at.ToString("O", CultureInfo.InvariantCulture),
            },
        };
        var resumed = await ResumeTakenAsync(session, command, payload, cancellationToken, (wait, attempt) => new JournalRecord
        {
            InstanceId = wait.InstanceId,
            NodeId = wait.NodeId,
            Type = (int)JournalEventType.NodeResumed,
            Attempt = attempt,
            At = at.ToUnixTimeMilliseconds(),
            Message = $"Agent task {(completed ? "completed" : "failed")} by {agent}.",
        });
        if (resumed.Count == 1)
        {
            return new AgentTaskAnswer(AgentTaskRefusal.None, before!.Value.Task with { Status = completed ? AgentTaskStatus.Completed : AgentTaskStatus.Failed }, leaseToken, resumed[0]);
        }

        return Refused(before, leaseToken);
    }

    private static AgentTaskAnswer Refused((AgentTaskView Task, string? LeaseToken, long? LeaseUntil, long Now)? found, string leaseToken) =>
        found is not { } row ? new AgentTaskAnswer(AgentTaskRefusal.Unknown, null)
        : row.Task.Status is AgentTaskStatus.Completed or AgentTaskStatus.Failed or AgentTaskStatus.TimedOut ? new AgentTaskAnswer(AgentTaskRefusal.Finished, row.Task)
        : row.LeaseToken != leaseToken ? new AgentTaskAnswer(AgentTaskRefusal.StaleLease, row.Task)
        : new AgentTaskAnswer(AgentTaskRefusal.LeaseExpired, row.Task);

    private async Task<(AgentTaskView Task, string? LeaseToken, long? LeaseUntil, long Now)?> ReadAgentTaskAsync(StoreSession session, string id, CancellationToken cancellationToken)
    {
        await using var command = session.Command($"SELECT {AgentTaskColumns} FROM tf_event_waits WHERE kind = 2 AND token = @token");
        AddParameter(command, "token", id);
        var tasks = await ReadAgentTasksAsync(command, session.Now, cancellationToken);
        return tasks.Count == 0 ? null : tasks[0];
    }

    private static async Task<List<(AgentTaskView Task, string? LeaseToken, long? LeaseUntil, long Now)>> ReadAgentTasksAsync(DbCommand command, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var tasks = new List<(AgentTaskView, string?, long?, long)>();
        var nowMs = now.ToUnixTimeMilliseconds();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var taken = reader.GetInt32(5);
            long? leaseUntil = reader.IsDBNull(7) ? null : reader.GetInt64(7);
            var status = taken switch
            {
                0 when leaseUntil > nowMs => AgentTaskStatus.Claimed,
                0 => AgentTaskStatus.Ready,
                TakenByCompletion => AgentTaskStatus.Completed,
                TakenByFailure => AgentTaskStatus.Failed,
                _ => AgentTaskStatus.TimedOut,
            };
            var view = new AgentTaskView(
                reader.GetString(0),
                reader.GetString(1),
                reader.GetString(2),
                reader.IsDBNull(3) ? [] : JsonNode.Parse(reader.GetString(3)) as JsonObject ?? [],
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)),
                status,
                reader.IsDBNull(6) ? null : reader.GetString(6),
                leaseUntil is { } until ? DateTimeOffset.FromUnixTimeMilliseconds(until) : null);
            tasks.Add((view, reader.IsDBNull(8) ? null : reader.GetString(8), leaseUntil, nowMs));
        }

        return tasks;
    }
}
