using TaskFlow.Core.Activities;
using TaskFlow.Core.Decomposition;
using TaskFlow.Core.Model;
using TaskFlow.Core.Validation;

namespace TaskFlow.Core.Tests.Decomposition;

/// <summary>What the decomposition tests share: the activity catalog and ways to read a generated graph.</summary>
internal static class DecompositionTestKit
{
    /// <summary>The built-in activities plus the aggregate activity's descriptor, as a host that registers it has.</summary>
    public static IReadOnlyDictionary<string, ActivityDescriptor> Catalog { get; } =
        BuiltInActivities.Descriptors.Append(AggregateActivityDescriptor.Descriptor).ToDictionary(d => d.Type, StringComparer.Ordinal);

    public static DecompositionTask Task(string description, int complexity = 50, string id = "task") =>
        new() { Id = id, Description = description, Complexity = complexity };

    public static Subtask Sub(string id, int complexity = 10, double weight = 1, params string[] dependencies) =>
        new() { Id = id, Description = $"Do {id}.", Complexity = complexity, Weight = weight, Dependencies = dependencies };

    public static DecompositionTask WithSubtasks(params Subtask[] subtasks) =>
        new() { Id = "task", Description = "A task.", Complexity = 50, Subtasks = subtasks };

    public static DecompositionOptions Options(DecompositionStrategy strategy, AggregationMode? aggregation = null) =>
        new() { Strategy = strategy, Aggregation = aggregation };

    /// <summary>Decomposes, asserts success, and asserts that every definition passes the engine's validator.</summary>
    public static DecompositionResult DecomposeValid(DecompositionTask task, DecompositionOptions? options = null)
    {
        var result = TaskDecomposition.Decompose(task, options);
        Assert.True(result.Succeeded, "Decomposition failed: " + string.Join(" | ", result.Problems.Select(p => p.Message)));
        Assert.Empty(result.Validate(Catalog, options?.Limits ?? new WorkflowLimits()).Select(p => p.Message));
        return result;
    }

    /// <summary>Problems of a failed decomposition, with the checks that it did fail.</summary>
    public static IReadOnlyList<ValidationProblem> Problems(DecompositionTask task, DecompositionOptions? options = null)
    {
        var result = TaskDecomposition.Decompose(task, options);
        Assert.False(result.Succeeded);
        Assert.Null(result.Root);
        Assert.Empty(result.Definitions);
        return result.Problems;
    }

    public static ValidationProblem Problem(DecompositionTask task, DecompositionOptions? options = null) => Assert.Single(Problems(task, options));

    /// <summary>Edges as "from->to", in definition order.</summary>
    public static string[] Edges(WorkflowDefinition definition) => definition.Edges.Select(e => $"{e.From}->{e.To}").ToArray();

    /// <summary>Nodes as "id:type", in definition order.</summary>
    public static string[] Nodes(WorkflowDefinition definition) => definition.Nodes.Select(n => $"{n.Id}:{n.Type}").ToArray();

    public static NodeDefinition Node(WorkflowDefinition definition, string id) => Assert.Single(definition.Nodes, n => n.Id == id);

    /// <summary>The weights input of an aggregate node.</summary>
    public static double[] Weights(WorkflowDefinition definition, string aggregateId) =>
        Node(definition, aggregateId).Inputs["weights"]!.AsArray().Select(w => w!.GetValue<double>()).ToArray();

    /// <summary>The ids named by the results input of an aggregate node.</summary>
    public static string[] ResultIds(WorkflowDefinition definition, string aggregateId) =>
        Node(definition, aggregateId).Inputs["results"]!.AsArray().Select(r => r!["id"]!.GetValue<string>()).ToArray();
}
