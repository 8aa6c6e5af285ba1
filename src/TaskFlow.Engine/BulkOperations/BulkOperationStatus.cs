namespace TaskFlow.Engine.BulkOperations;

public enum BulkOperationStatus
{
    /// <summary>Some instances have no result yet.</summary>
    Running = 0,

    /// <summary>Every instance has a result.</summary>
    Completed = 1,
}
