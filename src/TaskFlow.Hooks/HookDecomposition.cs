using System.Text;
using System.Text.RegularExpressions;
using TaskFlow.Core.Decomposition;

namespace TaskFlow.Hooks;

/// <summary>The pure Core decomposition as the hooks use it, and the text that tells an agent about the plan.</summary>
internal static partial class HookDecomposition
{
    public static DecompositionResult Decompose(string workflowId, string description, HookOptions options) =>
        TaskDecomposition.Decompose(
            new DecompositionTask { Id = workflowId, Description = description, Complexity = TaskEstimate.Complexity(TaskEstimate.Level(description)) },
            new DecompositionOptions { Strategy = options.Strategy, Aggregation = options.Aggregation, Limits = options.Limits });

    /// <summary>A task id as a workflow id: as it is when it is a valid definition id, else one made from it.</summary>
    public static string WorkflowIdFor(string taskId) => DefinitionId().IsMatch(taskId) ? taskId : DecompositionRequest.IdFor(taskId);

    /// <summary>
    /// The workflow id of a Task call: up to five words of its description (of the prompt when it
    /// has none) and six hex digits of a hash of both, so the same call gets the same id and a
    /// different prompt another (see <see cref="DecompositionRequest.IdFor(string, string)"/>).
    /// </summary>
    public static string WorkflowIdFor(string? description, string prompt) =>
        DecompositionRequest.IdFor(string.IsNullOrWhiteSpace(description) ? prompt : description, (description ?? "") + "\n" + prompt);

    /// <summary>The plan, and how to report each subtask: the PreToolUse additionalContext.</summary>
    public static string Context(DecompositionResult result, HookPlan plan)
    {
        var text = new StringBuilder("TaskFlow planned this task. ").Append(DecompositionJson.Outline(result));
        if (plan.Subtasks.Count == 1)
        {
            return text.AppendLine().Append("This Task call runs it; its result is recorded when it returns.").ToString();
        }

        var first = plan.Subtasks[0];
        return text.AppendLine().AppendLine()
            .Append("To run a subtask as its own Task, start that Task's prompt with the subtask's marker, for example ")
            .Append(TaskMarker.Format(plan.WorkflowId, first.Id)).Append(" for ").Append(first.Id)
            .Append(". TaskFlow records each marked Task's result against its subtask and reports the aggregated result when every subtask has reported. ")
            .Append("If this Task call does the whole task instead, its result is recorded for every subtask.")
            .ToString();
    }

    public static string Problems(DecompositionResult result) => string.Join(Environment.NewLine, result.Problems.Select(p => $"- {p.Code}: {p.Message}"));

    /// <summary>The aggregation for an agent or a person: the summary, then one line per subtask.</summary>
    public static string Report(HookPlan plan, AggregationResult aggregation)
    {
        var text = new StringBuilder("TaskFlow workflow ").Append(plan.WorkflowId).Append(": ").Append(aggregation.Summary);
        foreach (var subtask in plan.Subtasks)
        {
            text.AppendLine().Append("- [").Append(subtask.Id).Append("] ").Append(SubtaskAggregation.StatusName(subtask.Status));
            if (subtask.Error is { Length: > 0 } error)
            {
                text.Append(": ").Append(error);
            }
        }

        return text.ToString();
    }

    [GeneratedRegex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")]
    private static partial Regex DefinitionId();
}
