namespace TaskFlow.Engine.Persistence;

/// <summary>
/// What a guarded one-round-trip commit checks before it writes: each instance row still at the
/// version this process last wrote, and each finished item still held under its lease.
/// </summary>
public sealed class CommitGuard
{
    public required IReadOnlyList<(string InstanceId, long RowVersion)> Instances { get; init; }

    public required IReadOnlyList<ClaimedWork> Items { get; init; }
}
