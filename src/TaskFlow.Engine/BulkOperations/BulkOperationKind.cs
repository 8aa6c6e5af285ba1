namespace TaskFlow.Engine.BulkOperations;

/// <summary>What a bulk operation does to each instance it covers.</summary>
public enum BulkOperationKind
{
    /// <summary>Cancels running instances (and their children).</summary>
    Cancel = 0,

    /// <summary>Reopens failed instances at their failed nodes.</summary>
    Retry = 1,

    /// <summary>Deletes finished instances with their states, journal and child instances.</summary>
    Delete = 2,
}
