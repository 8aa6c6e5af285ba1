namespace TaskFlow.Engine.AgentTasks;

/// <summary>Where an agent task stands.</summary>
public enum AgentTaskStatus
{
    /// <summary>No agent holds it: never claimed, or its last claim expired.</summary>
    Ready,

    /// <summary>An agent holds a lease that has not expired.</summary>
    Claimed,

    /// <summary>An agent completed it; its node goes on with the output.</summary>
    Completed,

    /// <summary>An agent reported that it failed; its node fails.</summary>
    Failed,

    /// <summary>The node's timeout passed first.</summary>
    TimedOut,
}
