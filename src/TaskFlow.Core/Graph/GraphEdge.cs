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
}
