using System.Text.Json.Nodes;

namespace TaskFlow.Engine.Activities;

/// <summary>Everything one execution of an activity may use.</summary>
public sealed class ActivityContext
{
    public required string InstanceId { get; init; }

    /// <summary>The node id, or <c>node[i]</c> for a foreach iteration.</summary>
    public required string NodeId { get; init; }

    public required int Attempt { get; init; }

    /// <summary>The node's inputs with templates rendered.</summary>
    public required JsonObject Inputs { get; init; }

    /// <summary>The instance's depth: 0 for a top-level instance, 1 for its children, and so on.</summary>
    public int Depth { get; init; }

    /// <summary>Set when the execution resumes a waiting node: a timer's due time, or a child's outcome.</summary>
    public JsonNode? ResumePayload { get; init; }

    public bool IsResume { get; init; }

    /// <summary>The node's dispatch tier, 1 (critical) to 4 (support); work it hands on (an MCP call) keeps it.</summary>
    public int Tier { get; init; } = 3;

    /// <summary>
    /// The node's <c>workspace</c> policy as written in the definition, or null when the node has
    /// none. Workspace-aware activities (<c>exec</c>) run where it says.
    /// </summary>
    public TaskFlow.Core.Model.WorkspacePolicy? Workspace { get; init; }

    public required IServiceProvider Services { get; init; }

    public required TimeProvider Time { get; init; }

    /// <summary>Cancelled on timeout, instance cancellation, lost lease or shutdown.</summary>
    public CancellationToken CancellationToken { get; init; }

    /// <summary>Stable for one attempt of one node: <c>instance:node:attempt</c>. Pass it to external systems to deduplicate.</summary>
    public string IdempotencyKey => $"{InstanceId}:{NodeId}:{Attempt}";
}
