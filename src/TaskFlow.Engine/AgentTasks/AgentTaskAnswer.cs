using TaskFlow.Engine.Events;

namespace TaskFlow.Engine.AgentTasks;

/// <summary>
/// What the store answers to a claim, heartbeat, completion or failure: the task as it stands
/// afterwards (null when unknown), the refusal if any, the lease token of a claim, and the node a
/// completion or failure resumed.
/// </summary>
public sealed record AgentTaskAnswer(AgentTaskRefusal Refusal, AgentTaskView? Task, string? LeaseToken = null, ResumedWait? Resumed = null)
{
    public bool Taken => Refusal == AgentTaskRefusal.None;
}
