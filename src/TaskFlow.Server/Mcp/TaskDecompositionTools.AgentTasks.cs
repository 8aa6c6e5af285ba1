using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;
using TaskFlow.Engine.AgentTasks;
using TaskFlow.Server.Api;

namespace TaskFlow.Server.Mcp;

// The agent-task tools: the same claims, leases and refusals as /api/agent-tasks, for any MCP client.
internal sealed partial class TaskDecompositionTools
{
    /// <summary>How many ready tasks next_task tries when other agents take them first.</summary>
    private const int ClaimAttempts = 20;

    private static Tool[] AgentTaskTools =>
    [
        Define("next_task", "Claims the oldest ready agent task (with capability, one that needs it) for this agent under a lease. Returns the task and a lease token, or task null when none is ready.", """
            {"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","required":["agent"],"properties":{
              "agent":{"type":"string","description":"A name for this agent, shown to others and in the journal."},
              "capability":{"type":"string","description":"Only tasks that need this capability."},
              "lease":{"type":"string","description":"How long the claim lasts unless renewed (e.g. 5m); the task's own lease when omitted."}}}
            """),
        Define("heartbeat_task", "Renews the lease on a claimed agent task. Refused when the lease expired or is not the current one.", """
            {"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","required":["task_id","lease_token"],"properties":{
              "task_id":{"type":"string"},"lease_token":{"type":"string"}}}
            """),
        Define("complete_task", "Completes a claimed agent task with its output; the workflow goes on with it. Refused when the lease expired or is stale.", """
            {"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","required":["task_id","lease_token"],"properties":{
              "task_id":{"type":"string"},"lease_token":{"type":"string"},"output":{"description":"The result, any JSON."}}}
            """),
        Define("fail_task", "Fails a claimed agent task; its node fails with the error. Refused when the lease expired or is stale.", """
            {"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","required":["task_id","lease_token","error"],"properties":{
              "task_id":{"type":"string"},"lease_token":{"type":"string"},"error":{"type":"string","description":"Why it failed."}}}
            """),
    ];

    private async Task<CallToolResult> NextTaskAsync(JsonObject args, CancellationToken cancellationToken)
    {
        Unknown(args, "agent", "capability", "lease");
        var agent = Text(args, "agent") ?? throw new ArgumentException("'agent' is required: a name for this agent.");
        var capability = Text(args, "capability");
        TimeSpan? lease = null;
        if (args["lease"] is JsonNode leaseNode)
        {
            lease = Core.Model.Duration.TryParse(leaseNode.ToString(), out var parsed) && parsed > TimeSpan.Zero && parsed <= TimeSpan.FromHours(24)
                ? parsed
                : throw new ArgumentException($"'lease' is '{leaseNode}', which is not a duration from 1s to 24h (e.g. 5m).");
        }

        var ready = await store.ListAgentTasksAsync(AgentTaskStatus.Ready, capability is null ? ClaimAttempts : 10_000, cancellationToken);
        foreach (var task in ready.Where(t => capability is null || string.Equals(t.Capability, capability, StringComparison.Ordinal)).Take(ClaimAttempts))
        {
            var answer = await store.ClaimAgentTaskAsync(task.Id, agent, lease ?? AgentTasksApi.LeaseOf(task), cancellationToken);
            if (answer.Taken)
            {
                var claim = AgentTasksApi.ToJson(AgentTaskClaim.From(answer));
                return Ok(claim, $"Claimed agent task {task.Id}: {task.Details["title"]}. Send heartbeat_task before {answer.Task!.LeaseUntil:O}, then complete_task or fail_task with the lease token.");
            }
        }

        return Ok(new JsonObject { ["task"] = null }, capability is null ? "No agent task is ready." : $"No agent task needing '{capability}' is ready.");
    }

    private async Task<CallToolResult> HeartbeatTaskAsync(JsonObject args, CancellationToken cancellationToken)
    {
        Unknown(args, "task_id", "lease_token");
        var (id, leaseToken) = TaskAndLease(args);
        var task = await store.GetAgentTaskAsync(id, cancellationToken);
        var answer = task is null
            ? new AgentTaskAnswer(AgentTaskRefusal.Unknown, null)
            : await store.RenewAgentTaskAsync(id, leaseToken, AgentTasksApi.LeaseOf(task), cancellationToken);
        return answer.Taken
            ? Ok(AgentTasksApi.ToJson(AgentTaskClaim.From(answer)), $"Renewed the lease on agent task {id} until {answer.Task!.LeaseUntil:O}.")
            : Error(AgentTaskMessages.Refusal(id, answer));
    }

    private async Task<CallToolResult> FinishTaskAsync(JsonObject args, bool completed, CancellationToken cancellationToken)
    {
        Unknown(args, completed ? ["task_id", "lease_token", "output"] : ["task_id", "lease_token", "error"]);
        var (id, leaseToken) = TaskAndLease(args);
        var result = completed ? args["output"] : Text(args, "error") is { } error ? JsonValue.Create(error) : throw new ArgumentException("'error' is required: say why the task failed.");
        var answer = await store.FinishAgentTaskAsync(id, leaseToken, completed, result, cancellationToken);
        return answer.Taken
            ? Ok(AgentTasksApi.ToJson(AgentTaskResponse.From(answer.Task!)), $"Agent task {id} {(completed ? "completed" : "failed")}; its workflow goes on.")
            : Error(AgentTaskMessages.Refusal(id, answer));
    }

    private static (string Id, string LeaseToken) TaskAndLease(JsonObject args) => (
        Text(args, "task_id") ?? throw new ArgumentException("'task_id' is required: the id next_task answered."),
        Text(args, "lease_token") ?? throw new ArgumentException("'lease_token' is required: the token next_task answered."));

    private static string? Text(JsonObject args, string name) => args[name] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String && v.GetValue<string>() is { Length: > 0 and <= 200 } text && !string.IsNullOrWhiteSpace(text) => text.Trim(),
        var other => throw new ArgumentException($"'{name}' is {other.ToJsonString()}; it must be a non-empty string."),
    };
}
