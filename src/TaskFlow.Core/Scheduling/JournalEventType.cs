namespace TaskFlow.Core.Scheduling;

/// <summary>Every state change the journal records.</summary>
public enum JournalEventType
{
    InstanceStarted = 0,
    InstanceSucceeded = 1,
    InstanceFailed = 2,
    InstanceCancelled = 3,
    NodeScheduled = 10,
    NodeStarted = 11,
    NodeSucceeded = 12,
    NodeFailed = 13,
    NodeRetried = 14,
    NodeSkipped = 15,
    NodeSuspended = 16,
    NodeResumed = 17,
    NodeCancelled = 18,
    LeaseReclaimed = 19,
    ChildStarted = 20,

    /// <summary>A loop edge was taken: the nodes of its loop were reset to run again, and its target scheduled.</summary>
    LoopedBack = 21,
}
