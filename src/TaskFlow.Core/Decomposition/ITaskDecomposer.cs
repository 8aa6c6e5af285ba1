namespace TaskFlow.Core.Decomposition;

/// <summary>
/// Proposes the subtasks of a task. The built-in <see cref="StructuralTaskDecomposer"/> reads the
/// structure of the description; another implementation, such as an MCP tool, can propose them
/// instead. The graph is built from the proposals by <see cref="TaskDecomposition"/> either way.
/// </summary>
public interface ITaskDecomposer
{
    /// <summary>
    /// The subtasks of <paramref name="task"/>. Fewer than two means the task cannot be split and
    /// runs as one subtask. <paramref name="depth"/> is the nesting depth of the workflow the
    /// subtasks will run in: 0 for the root, 1 for its child workflows, and so on.
    /// </summary>
    ValueTask<IReadOnlyList<Subtask>> ProposeAsync(DecompositionTask task, int depth, CancellationToken cancellationToken = default);
}
