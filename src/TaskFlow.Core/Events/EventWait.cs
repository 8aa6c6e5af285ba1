namespace TaskFlow.Core.Events;

/// <summary>
/// What a waiting node listens for: an event by <paramref name="Name"/>, optionally only one
/// carrying <paramref name="Correlation"/>. <paramref name="Token"/> is the node's single-use
/// resume token, unguessable, so it can be handed to another system as a callback.
/// <paramref name="Earlier"/>, when set, lets the node also take a kept event that arrived (and
/// matched nothing) at most that long before it started waiting. An approval is a wait of
/// <see cref="WaitKind.Approval"/> whose <paramref name="Details"/> (title, options, assignees...)
/// are shown to the people deciding.
/// </summary>
public sealed record EventWait(string Name, string? Correlation, string Token, TimeSpan? Earlier = null, WaitKind Kind = WaitKind.Event, System.Text.Json.Nodes.JsonObject? Details = null);
