using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace TaskFlow.Core.Model;

/// <summary>
/// A versioned workflow: nodes joined by edges. Definitions are immutable once stored; saving
/// one under an existing id creates a new version and running instances keep theirs.
/// </summary>
public sealed class WorkflowDefinition
{
    /// <summary>Stable identifier shared by all versions, e.g. <c>order-fulfilment</c>.</summary>
    public string Id { get; set; } = "";

    /// <summary>Assigned by the store on save; 0 in a document that has not been stored yet.</summary>
    public int Version { get; set; }

    public string? Name { get; set; }

    public string? Description { get; set; }

    /// <summary>Declared inputs of an instance, by name.</summary>
    public Dictionary<string, InputDefinition> Inputs { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Variables with their initial values, readable in templates as <c>vars.name</c>.</summary>
    public Dictionary<string, JsonNode?> Variables { get; set; } = new(StringComparer.Ordinal);

    public List<NodeDefinition> Nodes { get; set; } = [];

    public List<EdgeDefinition> Edges { get; set; } = [];

    public List<TriggerDefinition> Triggers { get; set; } = [];

    /// <summary>
    /// The instance output, usually templates over node outputs. When omitted the output is an
    /// object holding the output of each end node (a node without outgoing edges) that succeeded.
    /// </summary>
    public JsonNode? Output { get; set; }

    /// <summary>Unknown top-level members are kept so that a round trip loses nothing.</summary>
    [JsonExtensionData]
    public Dictionary<string, object?>? Extensions { get; set; }
}
