namespace TaskFlow.Core.Events;

/// <summary>What a waiting node's subscription is resumed by; each kind has its own way in.</summary>
public enum WaitKind
{
    /// <summary>An event (<c>POST /api/events/{name}</c>) or the node's resume URL.</summary>
    Event = 0,

    /// <summary>A decision on an approval (<c>POST /api/approvals/{id}</c>) only.</summary>
    Approval = 1,

    /// <summary>An agent task: claimed, renewed and completed or failed through <c>/api/agent-tasks</c> only.</summary>
    Agent = 2,
}
