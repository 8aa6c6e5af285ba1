using System.Text.Json.Nodes;
using TaskFlow.Core.Events;
using TaskFlow.Core.Model;

namespace TaskFlow.Core.Scheduling;

/// <summary>Work to enqueue in the same transaction.</summary>
/// <param name="Resume">True when the item resumes a waiting node (timer fired, child finished).</param>
public sealed record WorkRequest(string NodeId, int Attempt, int Priority, DateTimeOffset VisibleAt, bool Resume = false, JsonNode? Payload = null);

/// <summary>A journal line to append in the same transaction.</summary>
public sealed record JournalEntry(JournalEventType Type, string? NodeId, int Attempt, DateTimeOffset At, string? Message = null);

/// <summary>A child instance to create in the same transaction.</summary>
/// <param name="DispatchedId">For a child started without waiting: its instance id, chosen here; it has no link back to the parent.</param>
/// <param name="CorrelationId">The child's own correlation id; null: it takes the parent's.</param>
public sealed record ChildStartRequest(string ParentNodeId, int ParentAttempt, string DefinitionId, int? Version, JsonObject Input, string? DispatchedId = null, string? CorrelationId = null);

/// <summary>How an instance ended, to be reported to its parent node if it has one.</summary>
public sealed record InstanceOutcome(InstanceStatus Status, JsonNode? Output, string? Error);

/// <summary>An event subscription to store in the same transaction as the node's wait.</summary>
public sealed record WaitRequest(string NodeId, int Attempt, EventWait Wait);
