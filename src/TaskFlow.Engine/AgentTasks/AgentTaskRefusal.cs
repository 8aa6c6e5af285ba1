namespace TaskFlow.Engine.AgentTasks;

/// <summary>Why a claim, heartbeat, completion or failure of an agent task was not taken.</summary>
public enum AgentTaskRefusal
{
    /// <summary>It was taken.</summary>
    None,

    /// <summary>No such task (or its node no longer waits).</summary>
    Unknown,

    /// <summary>The task is completed, failed or timed out: nothing more can be done with it.</summary>
    Finished,

    /// <summary>Another agent holds an unexpired lease.</summary>
    Claimed,

    /// <summary>The lease token is not the task's current one: another claim replaced it, or there was none.</summary>
    StaleLease,

    /// <summary>The lease token is the current one, but the lease ran out before this call.</summary>
    LeaseExpired,
}
