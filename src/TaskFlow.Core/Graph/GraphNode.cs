using TaskFlow.Core.Model;
using TaskFlow.Core.Templates;

namespace TaskFlow.Core.Graph;

/// <summary>A compiled node: edges indexed, templates parsed and policies resolved once per definition version.</summary>
public sealed class GraphNode
{
    internal GraphNode(NodeDefinition definition, TemplatedJson inputs)
    {
        Definition = definition;
        Inputs = inputs;
        Retry = RetrySettings.From(definition.Retry);
        Timeout = definition.Timeout is null ? null : Duration.Parse(definition.Timeout, $"node '{definition.Id}' timeout");
        Tier = definition.Tier ?? 3;
        JoinMode = definition.Type == Activities.BuiltInActivities.Join
            ? Enum.Parse<JoinMode>(definition.Inputs["mode"]?.GetValue<string>() ?? nameof(Model.JoinMode.WaitAll))
            : null;
    }

    public NodeDefinition Definition { get; }

    /// <summary>A foreach's body activity type; null for other nodes.</summary>
    public string? BodyType { get; init; }

    /// <summary>A foreach's body inputs, rendered per item (their templates see <c>item</c> and <c>index</c>).</summary>
    public TemplatedJson? BodyInputs { get; init; }

    public string Id => Definition.Id;

    public string Type => Definition.Type;

    public TemplatedJson Inputs { get; }

    public RetrySettings Retry { get; }

    public TimeSpan? Timeout { get; }

    /// <summary>Dispatch tier 1-4; the queue priority is 125 - 25 * tier (100, 75, 50, 25), as in the reference report.</summary>
    public int Tier { get; }

    public int Priority => 125 - (25 * Tier);

    /// <summary>The join mode of a <c>join</c> node; other nodes with several inbound edges behave as WaitAllActive.</summary>
    public JoinMode? JoinMode { get; }

    /// <summary>Inbound edges, loop edges excluded (a loop edge schedules its target again instead of arriving).</summary>
    public List<GraphEdge> Inbound { get; } = [];

    /// <summary>True when a loop can run the node again: its stored state may be from an earlier round, so it is always loaded.</summary>
    public bool InLoop { get; internal set; }

    public List<GraphEdge> Outgoing { get; } = [];
}
