using TaskFlow.Core.Activities;
using TaskFlow.Core.Validation;

namespace TaskFlow.Core.Decomposition;

/// <summary>How a task is decomposed. Every default is here.</summary>
public sealed class DecompositionOptions
{
    public DecompositionStrategy Strategy { get; set; } = DecompositionStrategy.Auto;

    /// <summary>
    /// The mode of every <c>aggregate</c> node. When null: <c>sequential</c> for a sequential
    /// graph, <c>parallel</c> otherwise.
    /// </summary>
    public AggregationMode? Aggregation { get; set; }

    /// <summary>A subtask whose complexity is above this may be decomposed again (recursive strategy, auto rule).</summary>
    public int RecursionThreshold { get; set; } = 60;

    /// <summary>The activity type of the node that runs a subtask. The default, <c>transform</c>, outputs the subtask it is given.</summary>
    public string SubtaskActivity { get; set; } = BuiltInActivities.Transform;

    /// <summary>The input of <see cref="SubtaskActivity"/> that receives the subtask record.</summary>
    public string SubtaskInput { get; set; } = "value";

    /// <summary>max_subtasks (per task), max_depth (nesting of child workflows) and maxComplexity.</summary>
    public WorkflowLimits Limits { get; set; } = new();

    /// <summary>Every problem with these options, or none.</summary>
    public IEnumerable<string> Problems()
    {
        if (Limits is null)
        {
            yield return "Limits is not set.";
            yield break;
        }

        if (Limits.MaxSubtasks < 1)
        {
            yield return $"Limits.MaxSubtasks is {Limits.MaxSubtasks}; it must be 1 or more.";
        }

        if (Limits.MaxDepth < 0)
        {
            yield return $"Limits.MaxDepth is {Limits.MaxDepth}; it must be 0 or more.";
        }

        if (Limits.MaxComplexity < 1)
        {
            yield return $"Limits.MaxComplexity is {Limits.MaxComplexity}; it must be 1 or more.";
        }

        if (RecursionThreshold < 0 || RecursionThreshold > Limits.MaxComplexity)
        {
            yield return $"RecursionThreshold is {RecursionThreshold}; it must be 0 to maxComplexity ({Limits.MaxComplexity}).";
        }

        if (!Enum.IsDefined(Strategy))
        {
            yield return $"Strategy {(int)Strategy} is not a strategy; use auto, parallel, hierarchical, recursive or sequential.";
        }

        if (Aggregation is { } mode && !Enum.IsDefined(mode))
        {
            yield return $"Aggregation {(int)mode} is not a mode; use sequential, parallel or weighted.";
        }

        if (string.IsNullOrWhiteSpace(SubtaskActivity))
        {
            yield return "SubtaskActivity is empty; name the activity type that runs a subtask, such as transform.";
        }

        if (string.IsNullOrWhiteSpace(SubtaskInput))
        {
            yield return "SubtaskInput is empty; name the input of the subtask activity that receives the subtask, such as value.";
        }
    }
}
