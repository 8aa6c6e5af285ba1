using System.Text.Json.Nodes;

namespace TaskFlow.Engine.AgentTasks;

/// <summary>
/// An agent task as stored: the wait of an <c>agent</c> node, with what the agent is to do
/// (<see cref="Details"/>: title, description, capability, input, correlation, lease) and its claim.
/// </summary>
public sealed record AgentTaskView(
    string Id,
    string InstanceId,
    string NodeId,
    JsonObject Details,
    DateTimeOffset Since,
    AgentTaskStatus Status,
    string? ClaimedBy,
    DateTimeOffset? LeaseUntil)
{
    public string? Capability => Details["capability"]?.ToString();
}
