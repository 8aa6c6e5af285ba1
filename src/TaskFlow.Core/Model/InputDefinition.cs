using System.Text.Json.Nodes;

namespace TaskFlow.Core.Model;

/// <summary>A declared workflow input.</summary>
[System.Text.Json.Serialization.JsonUnmappedMemberHandling(System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow)]
public sealed class InputDefinition
{
    /// <summary>JSON type: string, number, integer, boolean, object, array or any.</summary>
    public string Type { get; set; } = "any";

    public bool Required { get; set; }

    public JsonNode? Default { get; set; }

    public string? Description { get; set; }
}
