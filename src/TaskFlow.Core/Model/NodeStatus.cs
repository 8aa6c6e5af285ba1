namespace TaskFlow.Core.Model;

public enum NodeStatus
{
    Pending = 0,
    Scheduled = 1,
    Running = 2,
    Waiting = 3,
    Succeeded = 4,
    Failed = 5,
    Skipped = 6,
    Cancelled = 7,
}

public enum InstanceStatus
{
    Running = 0,
    Succeeded = 1,
    Failed = 2,
    Cancelled = 3,
}
