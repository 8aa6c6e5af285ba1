namespace TaskFlow.Core.Decomposition;

/// <summary>One workflow definition to generate: a task (the root, or a subtask decomposed again) and its subtasks.</summary>
internal sealed class PlanLevel(string definitionId, string? path, int depth, DecompositionTask task)
{
    public string DefinitionId { get; } = definitionId;

    /// <summary>The subtask path that leads here, such as <c>build/s2</c>; null for the root.</summary>
    public string? Path { get; } = path;

    /// <summary>The nesting depth its instances run at: 0 for the root.</summary>
    public int Depth { get; } = depth;

    public DecompositionTask Task { get; } = task;

    public IReadOnlyList<Subtask> Subtasks { get; set; } = [];

    /// <summary>The subtasks that run as child workflows, by subtask id.</summary>
    public Dictionary<string, PlanLevel> Children { get; } = new(StringComparer.Ordinal);

    /// <summary>How this level is called in messages.</summary>
    public string Owner => Path is null ? $"Task '{Task.Id}'" : $"Subtask '{Path}'";
}
