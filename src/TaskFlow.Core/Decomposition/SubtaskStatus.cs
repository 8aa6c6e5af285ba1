namespace TaskFlow.Core.Decomposition;

/// <summary>Where a subtask's result stands when it is aggregated.</summary>
public enum SubtaskStatus
{
    /// <summary>No result yet: the subtask has not run, or has not reported.</summary>
    Pending,
    Succeeded,
    Failed,
    Skipped,
    Cancelled,
}
