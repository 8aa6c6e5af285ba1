using TaskFlow.Core.Model;
using TaskFlow.Core.Templates;

namespace TaskFlow.Core.Graph;

/// <summary>A compiled edge: its port and parsed condition.</summary>
public sealed class GraphEdge(EdgeDefinition definition, TemplateExpression? condition)
{
    public EdgeDefinition Definition { get; } = definition;

    public string From => Definition.From;

    public string To => Definition.To;

    public string Port { get; } = definition.FromPort ?? Activities.ActivityDescriptor.DefaultOutcome;

    public TemplateExpression? Condition { get; } = condition;

    /// <summary>True for a loop edge: it does not count as an inbound edge of its target.</summary>
    public bool IsLoop => Definition.Loop;

    /// <summary>A loop edge's body and region; null for other edges.</summary>
    public GraphLoop? Loop { get; internal set; }
}
