using System.Text.Json.Nodes;
using TaskFlow.Core.Scheduling;
using TaskFlow.Engine.Approvals;
using TaskFlow.Engine.Events;

namespace TaskFlow.Engine.Persistence;

// Approvals are waits of kind 1 in tf_event_waits: the same single row that a decision and the
// timeout compete for, so a node is decided once; the wait's token is the approval's id.
public abstract partial class EngineStore
{
    /// <summary>Approvals not yet decided, oldest first; of one instance when given.</summary>
    public async Task<IReadOnlyList<ApprovalView>> ListApprovalsAsync(string? instanceId, int take, CancellationToken cancellationToken = default)
    {
        await using var session = await BeginAsync(cancellationToken);
        await using var command = session.Command("SELECT token, instance_id, node_id, details, created_at, taken FROM tf_event_waits WHERE kind = 1 AND taken = 0"
            + (instanceId is null ? "" : " AND instance_id = @instance")
            + " ORDER BY created_at, token LIMIT @take");
        if (instanceId is not null)
        {
            AddParameter(command, "instance", instanceId);
        }

        AddParameter(command, "take", take);
        var approvals = await ReadApprovalsAsync(command, cancellationToken);
        await session.CommitAsync(false, cancellationToken);
        return approvals;
    }

    /// <summary>One approval, decided or not; null when unknown (or its node no longer waits).</summary>
    public async Task<ApprovalView?> GetApprovalAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var session = await BeginAsync(cancellationToken);
        await using var command = session.Command("SELECT token, instance_id, node_id, details, created_at, taken FROM tf_event_waits WHERE kind = 1 AND token = @token");
        AddParameter(command, "token", id);
        var approvals = await ReadApprovalsAsync(command, cancellationToken);
        await session.CommitAsync(false, cancellationToken);
        return approvals.Count == 0 ? null : approvals[0];
    }

    /// <summary>
    /// Records a decision: takes the approval (only if nothing took it yet), queues its node's resume
    /// with <paramref name="decision"/> as payload and writes <paramref name="journalMessage"/> to the
    /// journal, all in one transaction. Null when it was already decided (or is unknown).
    /// </summary>
    public async Task<ResumedWait?> DecideApprovalAsync(string id, JsonObject decision, string journalMessage, CancellationToken cancellationToken = default)
    {
        await using var session = await BeginAsync(cancellationToken);
        await using var command = session.Command("UPDATE tf_event_waits SET taken = @taken WHERE taken = 0 AND kind = 1 AND token = @token RETURNING instance_id, node_id, attempt, definition_id, definition_version");
        AddParameter(command, "taken", TakenByDecision);
        AddParameter(command, "token", id);
        var at = session.Now.ToUnixTimeMilliseconds();
        var resumed = await ResumeTakenAsync(session, command, new JsonObject { ["decision"] = decision }, cancellationToken, (wait, attempt) => new JournalRecord
        {
            InstanceId = wait.InstanceId,
            NodeId = wait.NodeId,
            Type = (int)JournalEventType.NodeResumed,
            Attempt = attempt,
            At = at,
            Message = journalMessage,
        });
        return resumed.Count == 0 ? null : resumed[0];
    }

    private static async Task<List<ApprovalView>> ReadApprovalsAsync(System.Data.Common.DbCommand command, CancellationToken cancellationToken)
    {
        var approvals = new List<ApprovalView>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            approvals.Add(new ApprovalView(
                reader.GetString(0),
                reader.GetString(1),
                reader.GetString(2),
                reader.IsDBNull(3) ? [] : JsonNode.Parse(reader.GetString(3)) as JsonObject ?? [],
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)),
                reader.GetInt32(5) != 0));
        }

        return approvals;
    }
}
