namespace TaskFlow.Engine.Events;

/// <summary>
/// What became of an event: the waiting nodes it resumed; or, when it matched none, until when it is
/// kept for a node that takes earlier events (null: it was dropped).
/// </summary>
public sealed record PublishedEvent(string Name, IReadOnlyList<ResumedWait> Resumed, DateTimeOffset? KeptUntil)
{
    public bool Dropped => Resumed.Count == 0 && KeptUntil is null;
}
