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

    /// <summary>Why <see cref="Choose"/> picks what it picks for <paramref name="subtasks"/>, in a sentence.</summary>
    public static string Explain(IReadOnlyList<Subtask> subtasks)
    {
        if (DependencyOrder.HasDependencies(subtasks))
        {
            var layers = DependencyOrder.Layers(subtasks);
            return layers.Values.Distinct().Count() == subtasks.Count
                ? "Sequential: the dependencies (numbered steps or sequencing words such as \"then\") chain every subtask one after another."
                : $"Hierarchical: the dependencies order the subtasks in {layers.Values.Distinct().Count()} layers, and some subtasks of a layer are independent.";
        }

        var groups = subtasks.Select(s => s.Group).Distinct(StringComparer.Ordinal).Count();
        return groups >= 2
            ? $"Hierarchical: the subtasks fall into {groups} groups (headings or explicit groups)."
            : subtasks.Count == 1
                ? "Parallel: there is one subtask."
                : "Parallel: the subtasks are independent (bullets or explicit subtasks without dependencies).";
    }
}
