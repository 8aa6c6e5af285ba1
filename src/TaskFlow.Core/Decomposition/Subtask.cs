namespace TaskFlow.Core.Decomposition;

/// <summary>One piece of a task: becomes one node of the generated workflow.</summary>
public sealed record Subtask
{
    /// <summary>
    /// Unique within its task: letters, digits, <c>-</c> and <c>_</c>, at most 64 characters, and not
    /// <c>start</c>, <c>join</c> or <c>aggregate</c>. It becomes the node id.
    /// </summary>
    public required string Id { get; init; }

    public string Description { get; init; } = "";

    /// <summary>0 to maxComplexity (100 by default). Above the recursion threshold it may be decomposed again.</summary>
    public int Complexity { get; init; }

    /// <summary>Ids of subtasks of the same task that must finish before this one starts.</summary>
    public IReadOnlyList<string> Dependencies { get; init; } = [];

    /// <summary>Its share in a weighted aggregation, relative to the other subtasks; 0 or more.</summary>
    public double Weight { get; init; } = 1;

    /// <summary>Tools that may help, passed on to the activity that runs the subtask.</summary>
    public IReadOnlyList<string> ToolHints { get; init; } = [];

    /// <summary>A group for the hierarchical strategy, such as the markdown heading it was found under.</summary>
    public string? Group { get; init; }
}
