using System.Text.Json.Nodes;
using TaskFlow.Core.Activities;
using TaskFlow.Core.Decomposition;
using TaskFlow.Core.Graph;
using TaskFlow.Core.Model;
using TaskFlow.Core.Scheduling;
using TaskFlow.Core.Validation;

namespace TaskFlow.Core.Tests.Decomposition;

/// <summary>
/// Runs generated definitions through the real scheduling rules (<see cref="InstanceTransition"/>),
/// one piece of work at a time in the order it was queued, with every input rendered by the real
/// template engine. The activities are stand-ins, because their run-time part lives in the engine:
/// noop and join pass, transform outputs its value, aggregate applies the real aggregation rules
/// (<see cref="SubtaskAggregation"/>) to its rendered inputs, and workflow runs the child definition the same way.
/// </summary>
internal sealed class ScheduledRun
{
    private static readonly DateTimeOffset Now = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly IReadOnlyDictionary<string, WorkflowDefinition> _definitions;
    private readonly WorkflowLimits _limits = new();

    private ScheduledRun(IEnumerable<WorkflowDefinition> definitions) =>
        _definitions = definitions.ToDictionary(d => d.Id, StringComparer.Ordinal);

    /// <summary>Every node executed, as "definition/node", in execution order, across child instances.</summary>
    public List<string> Executed { get; } = [];

    public static (ScheduledRun Run, InstanceOutcome Outcome) Start(DecompositionResult result)
    {
        var run = new ScheduledRun(result.Definitions);
        return (run, run.RunInstance(result.Root!.Id, depth: 0));
    }

    private InstanceOutcome RunInstance(string definitionId, int depth)
    {
        var graph = WorkflowGraph.Compile(_definitions[definitionId]);
        var instance = new InstanceSnapshot { Id = $"{definitionId}#{depth}", Depth = depth };
        var stored = new Dictionary<string, NodeState>(StringComparer.Ordinal);
        var queue = new Queue<WorkRequest>();

        var start = new InstanceTransition(graph, instance, Now, _limits, statesAreNew: true);
        start.Start();
        var finished = Drive(start, stored, queue);
        while (finished is null && queue.TryDequeue(out var work))
        {
            var node = graph[work.NodeId];
            Executed.Add($"{definitionId}/{work.NodeId}");
            var output = Execute(node, Render(node, stored, instance), depth);
            var transition = new InstanceTransition(graph, instance, Now, _limits);
            transition.Apply(work.NodeId, work.Attempt, ActivityResult.Succeeded(output));
            finished = Drive(transition, stored, queue);
        }

        return finished ?? throw new InvalidOperationException($"Instance of '{definitionId}' stopped without finishing.");
    }

    private JsonNode? Execute(GraphNode node, JsonObject inputs, int depth) => node.Type switch
    {
        BuiltInActivities.Noop or BuiltInActivities.Join => null,
        BuiltInActivities.Transform => inputs["value"]?.DeepClone(),
        AggregateActivityDescriptor.Type => SubtaskAggregation.FromJson(inputs["mode"], inputs["results"], inputs["weights"], out var problems)?.ToJson()
            ?? throw new InvalidOperationException("The aggregate inputs are invalid: " + string.Join(" ", problems)),
        BuiltInActivities.Workflow => RunChild(inputs["definitionId"]!.GetValue<string>(), depth + 1),
        _ => throw new InvalidOperationException($"No stand-in for activity type '{node.Type}'."),
    };

    private JsonNode? RunChild(string definitionId, int depth)
    {
        Assert.True(depth <= _limits.MaxDepth, $"Child '{definitionId}' would run at depth {depth}, beyond max_depth.");
        var outcome = RunInstance(definitionId, depth);
        Assert.Equal(InstanceStatus.Succeeded, outcome.Status);
        return outcome.Output;
    }

    private static JsonObject Render(GraphNode node, Dictionary<string, NodeState> stored, InstanceSnapshot instance)
    {
        var nodes = new JsonObject();
        foreach (var id in node.Inputs.ReferencedNodeIds)
        {
            var state = stored.GetValueOrDefault(id);
            nodes[id] = new JsonObject { ["output"] = state?.Output?.DeepClone(), ["status"] = (state?.Status ?? NodeStatus.Pending).ToString() };
        }

        var scope = new JsonObject
        {
            ["input"] = new JsonObject(),
            ["vars"] = new JsonObject(),
            ["nodes"] = nodes,
            ["instance"] = new JsonObject { ["id"] = instance.Id, ["depth"] = instance.Depth },
            ["attempt"] = 1,
        };
        return node.Inputs.Render(scope)!.AsObject();
    }

    private static InstanceOutcome? Drive(InstanceTransition transition, Dictionary<string, NodeState> stored, Queue<WorkRequest> queue)
    {
        for (var rounds = 0; transition.Run() is { Count: > 0 } missing; rounds++)
        {
            Assert.True(rounds < 10, "The transition keeps asking for states.");
            foreach (var id in missing)
            {
                transition.Load(stored.TryGetValue(id, out var state) ? state : new NodeState(id));
            }
        }

        foreach (var state in transition.States.Values.Where(s => s.IsDirty))
        {
            state.IsDirty = false;
            state.IsNew = false;
            stored[state.NodeId] = state;
        }

        foreach (var work in transition.Work)
        {
            queue.Enqueue(work);
        }

        return transition.Finished;
    }
}
