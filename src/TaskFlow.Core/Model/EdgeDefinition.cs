namespace TaskFlow.Core.Model;

/// <summary>A connection from one node's outcome port to another node.</summary>
[System.Text.Json.Serialization.JsonUnmappedMemberHandling(System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow)]
public sealed class EdgeDefinition
{
    /// <summary>Optional id; edges without one are named <c>from-&gt;to</c> in messages.</summary>
    public string? Id { get; set; }

    public string From { get; set; } = "";

    public string To { get; set; } = "";

    /// <summary>The source outcome this edge follows; <c>done</c> when omitted.</summary>
    public string? FromPort { get; set; }

    /// <summary>The target's inbound port; informational for the designer.</summary>
    public string? ToPort { get; set; }

    /// <summary>
    /// An expression (a string, with or without <c>{{ }}</c>, or a JavaScript expression
    /// <c>{ "js": "..." }</c>); the edge is taken only when it is truthy.
    /// </summary>
    public System.Text.Json.Nodes.JsonNode? Condition { get; set; }

    public string? Label { get; set; }

    /// <summary>
    /// A loop edge: it goes back to its source or to a node before it, and when it is taken the
    /// nodes from its target to its source (and what follows them) run again. See docs/workflow-format.md.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public bool Loop { get; set; }

    /// <summary>How many times a loop edge may be taken in one run of its loop; 1000 when omitted.</summary>
    public int? MaxIterations { get; set; }

    /// <summary>The name used in messages.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string DisplayName => Id ?? $"{From}->{To}";
}
