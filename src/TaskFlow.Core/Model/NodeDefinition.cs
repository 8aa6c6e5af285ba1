using System.Text.Json.Nodes;

namespace TaskFlow.Core.Model;

/// <summary>One activity in the graph.</summary>
[System.Text.Json.Serialization.JsonUnmappedMemberHandling(System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow)]
public sealed class NodeDefinition
{
    /// <summary>Unique within the definition. Letters, digits, '-', '_' and '.'.</summary>
    public string Id { get; set; } = "";

    /// <summary>Activity type from the catalog, e.g. <c>noop</c>, <c>join</c>, <c>mcp.call</c>.</summary>
    public string Type { get; set; } = "";

    public string? Name { get; set; }

    /// <summary>Activity inputs; string values may hold templates such as <c>{{ input.x }}</c>.</summary>
    public JsonObject Inputs { get; set; } = [];

    public RetryPolicy? Retry { get; set; }

    /// <summary>Per-attempt timeout as a duration (<c>30s</c>, <c>5m</c>, <c>00:01:00</c>).</summary>
    public string? Timeout { get; set; }

    /// <summary>Dispatch tier 1 (critical) to 4 (support); lower tiers are claimed first.</summary>
    public int? Tier { get; set; }

    public WorkspacePolicy? Workspace { get; set; }

    /// <summary>Designer layout hints; opaque to the engine.</summary>
    public JsonObject? Layout { get; set; }
}
