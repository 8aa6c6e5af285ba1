namespace TaskFlow.Core.Decomposition;

/// <summary>
/// The shape of one level when the choice is left to the task (auto, and every level of the
/// recursive strategy): with dependencies, sequential when they chain every subtask one after
/// another, hierarchical otherwise; without, hierarchical when the subtasks carry two or more
/// groups (headings); parallel otherwise.
/// </summary>
internal static class LayoutRule
{
    public static DecompositionStrategy Choose(IReadOnlyList<Subtask> subtasks)
    {
        if (DependencyOrder.HasDependencies(subtasks))
        {
            var layers = DependencyOrder.Layers(subtasks);
            return layers.Values.Distinct().Count() == subtasks.Count ? DecompositionStrategy.Sequential : DecompositionStrategy.Hierarchical;
        }

        return subtasks.Select(s => s.Group).Distinct(StringComparer.Ordinal).Count() >= 2
            ? DecompositionStrategy.Hierarchical
            : DecompositionStrategy.Parallel;
    }
}
