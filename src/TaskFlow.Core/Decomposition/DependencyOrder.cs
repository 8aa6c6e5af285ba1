namespace TaskFlow.Core.Decomposition;

/// <summary>Orders validated (acyclic, known) dependencies. At most max_subtasks items, so quadratic is fine.</summary>
internal static class DependencyOrder
{
    /// <summary>A topological order; among the subtasks that are ready, the earliest in the input goes first.</summary>
    public static List<Subtask> Topological(IReadOnlyList<Subtask> subtasks)
    {
        var placed = new HashSet<string>(StringComparer.Ordinal);
        var order = new List<Subtask>(subtasks.Count);
        var left = subtasks.ToList();
        while (left.Count > 0)
        {
            var next = left.FindIndex(s => s.Dependencies.All(placed.Contains));
            if (next < 0)
            {
                throw new InvalidOperationException("Dependencies form a cycle; they should have been checked before ordering.");
            }

            order.Add(left[next]);
            placed.Add(left[next].Id);
            left.RemoveAt(next);
        }

        return order;
    }

    /// <summary>
    /// The layer of each subtask, by id: 0 without dependencies, otherwise one more than the
    /// deepest layer among its dependencies (the longest chain of dependencies that leads to it).
    /// </summary>
    public static Dictionary<string, int> Layers(IReadOnlyList<Subtask> subtasks)
    {
        var layers = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var subtask in Topological(subtasks))
        {
            layers[subtask.Id] = subtask.Dependencies.Count == 0 ? 0 : subtask.Dependencies.Max(d => layers[d]) + 1;
        }

        return layers;
    }

    public static bool HasDependencies(IReadOnlyList<Subtask> subtasks) => subtasks.Any(s => s.Dependencies.Count > 0);
}
