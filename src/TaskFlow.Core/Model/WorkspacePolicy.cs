using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace TaskFlow.Core.Model;

/// <summary>Where a node's activity runs. The workspace providers interpret the details.</summary>
public sealed class WorkspacePolicy
{
    /// <summary><c>none</c>, <c>process</c>, <c>container</c> or <c>vm</c>.</summary>
    public string Mode { get; set; } = "none";

    /// <summary><c>node</c> (a workspace per node) or <c>instance</c> (shared by the instance).</summary>
    public string Scope { get; set; } = "node";

    public string? Image { get; set; }

    public JsonObject? Limits { get; set; }

    [JsonExtensionData]
    public Dictionary<string, object?>? Extensions { get; set; }
}
