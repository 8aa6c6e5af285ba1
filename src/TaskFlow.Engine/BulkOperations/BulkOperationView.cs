namespace TaskFlow.Engine.BulkOperations;

/// <summary>A bulk operation's progress, counts and, when asked for, the result per instance.</summary>
public sealed record BulkOperationView(
    string Id,
    BulkOperationKind Kind,
    BulkOperationStatus Status,
    int Total,
    int Done,
    int Skipped,
    int Failed,
    int Pending,
    DateTimeOffset CreatedAt,
    DateTimeOffset? FinishedAt,
    IReadOnlyList<BulkResultView> Results);

/// <summary>The outcome for one instance; Reason says why it was skipped or failed.</summary>
public sealed record BulkResultView(string InstanceId, BulkOutcome Outcome, string? Reason);
