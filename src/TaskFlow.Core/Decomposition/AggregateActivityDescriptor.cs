using TaskFlow.Core.Activities;

namespace TaskFlow.Core.Decomposition;

/// <summary>
/// The contract of the <c>aggregate</c> activity that decomposed workflows end with. It lives in
/// Core, beside the graphs that use it, so that validation and the activity that the host
/// registers (<c>AddActivity&lt;T&gt;(AggregateActivityDescriptor.Descriptor)</c>) share one description.
/// </summary>
public static class AggregateActivityDescriptor
{
    public const string Type = "aggregate";

    /// <summary>The values of the <c>mode</c> input, as written in definitions.</summary>
    public static IReadOnlyList<string> Modes { get; } = ["sequential", "parallel", "weighted"];

    public static ActivityDescriptor Descriptor { get; } = new(
        Type,
        "Decomposition",
        "Combines the results of a decomposed task's subtasks: each one's status and output, overall success and a summary. weighted also outputs the score sum(w_i * s_i) / sum(w_i), where s_i is a succeeded subtask's score (0 to 1, default 1) and 0 for any other status.",
        [
            new("mode", "string", Required: true, "sequential: the results in order; parallel: the results as a set; weighted: also the weighted score.",
                AllowedValues: Modes),
            new("results", "array", Required: true, "One entry per subtask: { id, status, output, error?, score?, weight?, finishedAt? }, usually templates such as {{ nodes.a.output }}. parallel lists them in the order they finished."),
            new("weights", "array", Description: "Weighted mode: one number (0 or more) per result, in the same order, normalised to sum to 1; without it each result's weight, else 1."),
        ],
        [ActivityDescriptor.DefaultOutcome]);

    /// <summary>The <c>mode</c> value for <paramref name="mode"/>.</summary>
    public static string ModeName(AggregationMode mode) => mode switch
    {
        AggregationMode.Sequential => "sequential",
        AggregationMode.Parallel => "parallel",
        _ => "weighted",
    };
}
