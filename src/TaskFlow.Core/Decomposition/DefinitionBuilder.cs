using System.Text.Json.Nodes;
using TaskFlow.Core.Activities;
using TaskFlow.Core.Model;

namespace TaskFlow.Core.Decomposition;

/// <summary>Builds the workflow definition of one plan level in one of the three layouts.</summary>
internal sealed partial class DefinitionBuilder
{
    private readonly PlanLevel _level;
    private readonly DecompositionOptions _options;
    private readonly AggregationMode _mode;
    private readonly List<NodeDefinition> _nodes = [];
    private readonly List<EdgeDefinition> _edges = [];

    private DefinitionBuilder(PlanLevel level, DecompositionOptions options, AggregationMode mode)
    {
        _level = level;
        _options = options;
        _mode = mode;
    }

    /// <param name="layout">Parallel, Hierarchical or Sequential.</param>
    public static WorkflowDefinition Build(PlanLevel level, DecompositionStrategy layout, DecompositionOptions options)
    {
        var mode = options.Aggregation ?? (layout == DecompositionStrategy.Sequential ? AggregationMode.Sequential : AggregationMode.Parallel);
        var builder = new DefinitionBuilder(level, options, mode);
        switch (layout)
        {
            case DecompositionStrategy.Sequential:
                builder.LayOutSequential();
                break;
            case DecompositionStrategy.Hierarchical:
                builder.LayOutHierarchical();
                break;
            case DecompositionStrategy.Parallel:
                builder.LayOutParallel();
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(layout), layout, "A level is laid out as parallel, hierarchical or sequential.");
        }

        return new WorkflowDefinition
        {
            Id = level.DefinitionId,
            Name = TemplateText.Label(level.Task.Description) ?? level.Task.Id,
            Description = string.IsNullOrWhiteSpace(level.Task.Description) ? null : level.Task.Description,
            Nodes = builder._nodes,
            Edges = builder._edges,
            Output = JsonValue.Create(TemplateText.NodeMember(DecompositionIds.Aggregate, "output")),
        };
    }

    private void AddNode(string id, string type, string? name, JsonObject? inputs = null) =>
        _nodes.Add(new NodeDefinition { Id = id, Type = type, Name = name, Inputs = inputs ?? [] });

    private void AddEdge(string from, string to) => _edges.Add(new EdgeDefinition { From = from, To = to });

    /// <summary>
    /// The members as a small graph entered from <paramref name="entry"/>: a member whose
    /// dependencies are all outside the members starts from the entry, any other after each of
    /// its dependencies. Returns the members nothing among them depends on, in input order.
    /// </summary>
    private List<string> AddMembers(string entry, IReadOnlyList<Subtask> members)
    {
        var ids = members.Select(m => m.Id).ToHashSet(StringComparer.Ordinal);
        var needed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var member in members)
        {
            AddSubtaskNode(member);
        }

        foreach (var member in members)
        {
            var inside = member.Dependencies.Where(ids.Contains).ToList();
            if (inside.Count == 0)
            {
                AddEdge(entry, member.Id);
            }

            foreach (var dependency in inside)
            {
                AddEdge(dependency, member.Id);
                needed.Add(dependency);
            }
        }

        return members.Where(m => !needed.Contains(m.Id)).Select(m => m.Id).ToList();
    }

    /// <summary>The ends of the branches meet in a WaitAll join when there are two or more, then the aggregate runs.</summary>
    private void Converge(List<string> ends, string joinId, string joinName, string aggregateId, string aggregateName, IReadOnlyList<(string NodeId, double Weight)> results)
    {
        if (ends.Count >= 2)
        {
            AddNode(joinId, BuiltInActivities.Join, joinName, new JsonObject { ["mode"] = nameof(JoinMode.WaitAll) });
            foreach (var end in ends)
            {
                AddEdge(end, joinId);
            }

            AddEdge(joinId, aggregateId);
        }
        else
        {
            AddEdge(ends[0], aggregateId);
        }

        AddNode(aggregateId, AggregateActivityDescriptor.Type, aggregateName, AggregateInputs(results));
    }

    private JsonObject AggregateInputs(IReadOnlyList<(string NodeId, double Weight)> results)
    {
        var entries = new JsonArray();
        foreach (var (nodeId, _) in results)
        {
            entries.Add((JsonNode)new JsonObject
            {
                ["id"] = nodeId,
                ["status"] = TemplateText.NodeMember(nodeId, "status"),
                ["output"] = TemplateText.NodeMember(nodeId, "output"),
                ["finishedAt"] = TemplateText.NodeMember(nodeId, "finishedAt"),
            });
        }

        var inputs = new JsonObject
        {
            ["mode"] = AggregateActivityDescriptor.ModeName(_mode),
            ["results"] = entries,
        };
        if (_mode == AggregationMode.Weighted)
        {
            inputs["weights"] = new JsonArray(Normalise(results.Select(r => r.Weight).ToArray()).Select(w => (JsonNode?)JsonValue.Create(w)).ToArray());
        }

        return inputs;
    }

    /// <summary>Each weight divided by their sum; equal shares when they are all 0 (possible only inside a group).</summary>
    internal static double[] Normalise(double[] weights)
    {
        var total = weights.Sum();
        return total > 0
            ? weights.Select(w => w / total).ToArray()
            : weights.Select(_ => 1.0 / weights.Length).ToArray();
    }

    private void AddSubtaskNode(Subtask subtask)
    {
        var record = new JsonObject
        {
            ["id"] = subtask.Id,
            ["description"] = TemplateText.Literal(subtask.Description),
            ["complexity"] = subtask.Complexity,
            ["weight"] = subtask.Weight,
            ["dependencies"] = new JsonArray(subtask.Dependencies.Select(d => (JsonNode?)JsonValue.Create(d)).ToArray()),
            ["toolHints"] = new JsonArray(subtask.ToolHints.Select(h => (JsonNode?)JsonValue.Create(TemplateText.Literal(h))).ToArray()),
        };
        if (subtask.Group is not null)
        {
            record["group"] = TemplateText.Literal(subtask.Group);
        }

        var name = TemplateText.Label(subtask.Description);
        if (_level.Children.TryGetValue(subtask.Id, out var child))
        {
            // The child definition holds its subtasks literally; the record in its input only tells a
            // reader of the child instance which subtask it decomposes.
            AddNode(subtask.Id, BuiltInActivities.Workflow, name, new JsonObject
            {
                ["definitionId"] = child.DefinitionId,
                ["input"] = new JsonObject { ["subtask"] = record },
            });
        }
        else
        {
            var (type, inputs) = subtask.Runner switch
            {
                SubtaskRunner.Exec => (SubtaskActivityTypes.Exec, ExecInputs(subtask)),
                SubtaskRunner.Tool => (SubtaskActivityTypes.McpCall, ToolInputs(subtask)),
                SubtaskRunner.Workflow => (BuiltInActivities.Workflow, new JsonObject
                {
                    ["definitionId"] = subtask.Workflow,
                    ["input"] = new JsonObject { ["subtask"] = record },
                }),
                _ when _options.SubtaskActivity == BuiltInActivities.Agent => (BuiltInActivities.Agent, AgentInputs(subtask, record)),
                _ => (_options.SubtaskActivity, new JsonObject { [_options.SubtaskInput] = record }),
            };
            _nodes.Add(new NodeDefinition
            {
                Id = subtask.Id,
                Type = type,
                Name = name,
                Inputs = inputs,
                Tier = subtask.Tier,
                Workspace = subtask.Runner == SubtaskRunner.Exec ? subtask.Workspace ?? _level.Task.Workspace : null,
            });
        }
    }

    /// <summary>
    /// An agent task: the subtask's description for the agent, its first tool hint as the capability
    /// agents list by, and the task and subtask ids as plain correlation data.
    /// </summary>
    private JsonObject AgentInputs(Subtask subtask, JsonObject record)
    {
        var inputs = new JsonObject
        {
            ["title"] = TemplateText.Literal(TemplateText.Label(subtask.Description) ?? subtask.Id),
            ["description"] = TemplateText.Literal(subtask.Description),
            ["input"] = record,
            ["correlation"] = new JsonObject { ["task"] = _level.Task.Id, ["subtask"] = subtask.Id },
        };
        if (subtask.ToolHints.Count > 0)
        {
            inputs["capability"] = TemplateText.Literal(subtask.ToolHints[0]);
        }

        return inputs;
    }

    /// <summary>The command or script as written: like any node input, it may hold templates.</summary>
    private static JsonObject ExecInputs(Subtask subtask) =>
        subtask.Command is { } command
            ? new JsonObject { ["command"] = new JsonArray(command.Select(c => (JsonNode?)JsonValue.Create(c)).ToArray()) }
            : new JsonObject { ["script"] = subtask.Script };

    private static JsonObject ToolInputs(Subtask subtask)
    {
        var inputs = new JsonObject { ["tool"] = subtask.Tool };
        if (subtask.Arguments is { } arguments)
        {
            inputs["arguments"] = arguments.DeepClone();
        }

        return inputs;
    }
}
