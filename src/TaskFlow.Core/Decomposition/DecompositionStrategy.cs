namespace TaskFlow.Core.Decomposition;

/// <summary>The shape of the generated workflow.</summary>
public enum DecompositionStrategy
{
    /// <summary>Picks one of the others from the shape of the task (see docs/decomposition.md).</summary>
    Auto,

    /// <summary>Fan out to every subtask (dependencies still honoured), join, then aggregate.</summary>
    Parallel,

    /// <summary>Groups of subtasks, each aggregated, then the groups aggregated: a tree aggregated bottom-up.</summary>
    Hierarchical,

    /// <summary>Subtasks above the complexity threshold become child workflows, decomposed the same way.</summary>
    Recursive,

    /// <summary>One chain in dependency order, then aggregate.</summary>
    Sequential,
}
