namespace TaskFlow.Core.Decomposition;

/// <summary>
/// Decomposes a task into workflow definitions: the entry point. The rules (strategies, the auto
/// rule, description parsing, complexity, weights, limits) are in docs/decomposition.md.
/// </summary>
public static class TaskDecomposition
{
    /// <summary>
    /// Decomposes <paramref name="task"/> with the built-in <see cref="StructuralTaskDecomposer"/>.
    /// Pure: the same task and options always give the same definitions.
    /// </summary>
    public static DecompositionResult Decompose(DecompositionTask task, DecompositionOptions? options = null)
    {
        var planner = new DecompositionPlanner(task, options ?? new DecompositionOptions());
        while (planner.Next() is { } request)
        {
            planner.Accept(request, StructuralTaskDecomposer.Propose(request.Task));
        }

        return planner.Finish();
    }

    /// <summary>
    /// Decomposes <paramref name="task"/>, asking <paramref name="decomposer"/> for the subtasks of
    /// the task (when it lists none) and of each subtask that may be decomposed again. Its
    /// proposals are checked by the same rules and limits as explicit subtasks.
    /// </summary>
    public static async ValueTask<DecompositionResult> DecomposeAsync(
        DecompositionTask task,
        ITaskDecomposer decomposer,
        DecompositionOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(decomposer);
        var planner = new DecompositionPlanner(task, options ?? new DecompositionOptions());
        while (planner.Next() is { } request)
        {
            planner.Accept(request, await decomposer.ProposeAsync(request.Task, request.Depth, cancellationToken).ConfigureAwait(false));
        }

        return planner.Finish();
    }
}
