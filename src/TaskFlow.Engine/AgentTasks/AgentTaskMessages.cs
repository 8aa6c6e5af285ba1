using System.Globalization;

namespace TaskFlow.Engine.AgentTasks;

/// <summary>Why an agent task call was refused, in the words the REST API and the MCP tools both use.</summary>
public static class AgentTaskMessages
{
    public static string Refusal(string id, AgentTaskAnswer answer) => answer.Refusal switch
    {
        AgentTaskRefusal.Unknown => $"Agent task '{id}' does not exist (or its node no longer waits).",
        AgentTaskRefusal.Finished => $"Agent task '{id}' is already {Status(answer.Task!.Status)}; a finished task cannot be claimed, renewed, completed or failed again.",
        AgentTaskRefusal.Claimed => $"Agent task '{id}' is claimed by {answer.Task!.ClaimedBy} until {Time(answer.Task.LeaseUntil)}; it becomes ready again if that lease is not renewed.",
        AgentTaskRefusal.StaleLease => $"The lease token is not the current lease of agent task '{id}': {(answer.Task!.ClaimedBy is { } by ? $"it was claimed again (by {by}) after this lease expired" : "it was never claimed with it")}. Nothing was changed; claim the task to work on it.",
        AgentTaskRefusal.LeaseExpired => $"The lease on agent task '{id}' expired at {Time(answer.Task!.LeaseUntil)}, before this call; nothing was changed. Send heartbeats within the lease, or claim the task again.",
        _ => throw new ArgumentOutOfRangeException(nameof(answer), answer.Refusal, "The answer was not refused."),
    };

    public static string Status(AgentTaskStatus status) => status switch
    {
        AgentTaskStatus.TimedOut => "timed out",
        _ => status.ToString().ToLowerInvariant(),
    };

    private static string Time(DateTimeOffset? at) => at?.ToString("O", CultureInfo.InvariantCulture) ?? "unknown";
}
