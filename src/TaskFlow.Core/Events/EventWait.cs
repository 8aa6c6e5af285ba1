namespace TaskFlow.Core.Events;

/// <summary>
/// What a waiting node listens for: an event by <paramref name="Name"/>, optionally only one
/// carrying <paramref name="Correlation"/>. <paramref name="Token"/> is the node's single-use
/// resume token, unguessable, so it can be handed to another system as a callback.
/// </summary>
public sealed record EventWait(string Name, string? Correlation, string Token);
