namespace TaskFlow.Engine.BulkOperations;

/// <summary>What a bulk operation did to one instance.</summary>
public enum BulkOutcome
{
    /// <summary>Not handled yet.</summary>
    Pending = 0,

    Done = 1,

    /// <summary>Left as it was, with the reason (not running, not failed, not stored, ...).</summary>
    Skipped = 2,

    /// <summary>Tried and failed, with the reason.</summary>
    Failed = 3,
}
