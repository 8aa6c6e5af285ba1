using System.ComponentModel.DataAnnotations;

namespace TaskFlow.Core.Validation;

/// <summary>Size limits checked on every load and save. Defaults come from the reference report.</summary>
public sealed class WorkflowLimits
{
    /// <summary>Most outgoing branches of one node (static fan-out).</summary>
    [Range(1, 100_000)]
    public int MaxSubtasks { get; set; } = 50;

    /// <summary>Deepest nesting of child workflows.</summary>
    [Range(1, 100)]
    public int MaxDepth { get; set; } = 5;

    /// <summary>Highest task complexity a decomposition accepts.</summary>
    [Range(1, 10_000)]
    public int MaxComplexity { get; set; } = 100;

    /// <summary>Most items one foreach accepts at run time; a longer list fails the node.</summary>
    [Range(1, 1_000_000)]
    public int MaxForEachItems { get; set; } = 10_000;

    /// <summary>Most nodes in one definition.</summary>
    [Range(1, 1_000_000)]
    public int MaxNodes { get; set; } = 10_000;
}
