using System.Text.Json.Serialization;
using TaskFlow.Core.Model;

namespace TaskFlow.Core.Decomposition;

/// <summary>What to decompose: a task with a description, and optionally its subtasks already worked out.</summary>
public sealed record DecompositionTask
{
    /// <summary>Becomes the id of the root workflow definition, so it follows the definition id rule.</summary>
    public required string Id { get; init; }

    /// <summary>Subtasks are derived from its structure when <see cref="Subtasks"/> is empty (see docs/decomposition.md).</summary>
    public string Description { get; init; } = "";

    /// <summary>0 to maxComplexity (100 by default). Derived subtasks share it out by the length of their text.</summary>
    public int Complexity { get; init; }

    /// <summary>Explicit subtasks; when empty, they are proposed from <see cref="Description"/>.</summary>
    public IReadOnlyList<Subtask> Subtasks { get; init; } = [];

    /// <summary>Where the commands and scripts of its subtasks run, unless a subtask says otherwise.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public WorkspacePolicy? Workspace { get; init; }
}
