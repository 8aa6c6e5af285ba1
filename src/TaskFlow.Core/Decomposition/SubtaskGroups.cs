namespace TaskFlow.Core.Decomposition;

/// <summary>
/// The grouping rule of the hierarchical strategy, first that applies:
/// 1. the subtasks' own groups (headings), when there are two or more and the dependencies
///    between groups form no cycle;
/// 2. dependency layers, when there are dependencies;
/// 3. runs of ⌈√n⌉ consecutive subtasks.
/// </summary>
internal static class SubtaskGroups
{
    public static List<SubtaskGroup> Form(IReadOnlyList<Subtask> subtasks)
    {
        var named = subtasks.Select(s => s.Group).Distinct(StringComparer.Ordinal).ToList();
        if (named.Count >= 2)
        {
            var members = named.Select(name => subtasks.Where(s => s.Group == name).ToList()).ToList();
            if (TryConnect(members, s => named.IndexOf(s.Group)) is { } after)
            {
                return members.Select((m, i) => new SubtaskGroup(i + 1, named[i] ?? "Ungrouped", m, after[i])).ToList();
            }
        }

        if (DependencyOrder.HasDependencies(subtasks))
        {
            var layers = DependencyOrder.Layers(subtasks);
            var count = layers.Values.Max() + 1;
            var members = Enumerable.Range(0, count).Select(layer => subtasks.Where(s => layers[s.Id] == layer).ToList()).ToList();
            return members.Select((m, i) => new SubtaskGroup(i + 1, $"Layer {i + 1}", m, i == 0 ? [] : [i])).ToList();
        }

        var size = (int)Math.Ceiling(Math.Sqrt(subtasks.Count));
        return subtasks.Chunk(size).Select((m, i) => new SubtaskGroup(i + 1, $"Part {i + 1}", m, [])).ToList();
    }

    /// <summary>
    /// For each group, the (1-based) groups it must start after: those holding a dependency of
    /// one of its members, transitively reduced. Null when the groups depend on each other in a cycle.
    /// </summary>
    private static List<int>[]? TryConnect(List<List<Subtask>> members, Func<Subtask, int> groupOf)
    {
        var byId = members.SelectMany(m => m).ToDictionary(s => s.Id, groupOf, StringComparer.Ordinal);
        var direct = members
            .Select((m, g) => m.SelectMany(s => s.Dependencies).Select(d => byId[d]).Where(d => d != g).ToHashSet())
            .ToArray();

        // Everything each group waits for, directly or not; a group that waits for itself is a cycle.
        var reach = new HashSet<int>[members.Count];
        for (var g = 0; g < members.Count; g++)
        {
            var seen = new HashSet<int>();
            var stack = new Stack<int>(direct[g]);
            while (stack.Count > 0)
            {
                var next = stack.Pop();
                if (seen.Add(next))
                {
                    foreach (var further in direct[next])
                    {
                        stack.Push(further);
                    }
                }
            }

            if (seen.Contains(g))
            {
                return null;
            }

            reach[g] = seen;
        }

        // Keep a direct dependency only when no other direct dependency already waits for it.
        return direct
            .Select(deps => deps.Where(d => !deps.Any(other => other != d && reach[other].Contains(d))).Order().Select(d => d + 1).ToList())
            .ToArray();
    }
}
