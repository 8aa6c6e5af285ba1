namespace TaskFlow.Core.Validation;

/// <summary>Finds the cycles of a directed graph: one representative cycle per strongly connected component.</summary>
internal static class GraphCycles
{
    public static List<List<string>> Find(IReadOnlyDictionary<string, List<string>> outgoing)
    {
        // Iterative Tarjan, so that a 10,000-node chain does not overflow the stack.
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var low = new Dictionary<string, int>(StringComparer.Ordinal);
        var onStack = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var cycles = new List<List<string>>();
        var next = 0;

        foreach (var root in outgoing.Keys.Order(StringComparer.Ordinal))
        {
            if (index.ContainsKey(root))
            {
                continue;
            }

            var work = new Stack<(string Node, int Child)>();
            work.Push((root, 0));
            index[root] = low[root] = next++;
            stack.Push(root);
            onStack.Add(root);

            while (work.Count > 0)
            {
                var (node, child) = work.Pop();
                var edges = outgoing[node];
                if (child < edges.Count)
                {
                    work.Push((node, child + 1));
                    var target = edges[child];
                    if (!index.ContainsKey(target))
                    {
                        index[target] = low[target] = next++;
                        stack.Push(target);
                        onStack.Add(target);
                        work.Push((target, 0));
                    }
                    else if (onStack.Contains(target))
                    {
                        low[node] = Math.Min(low[node], index[target]);
                    }

                    continue;
                }

                if (work.Count > 0)
                {
                    var parent = work.Peek().Node;
                    low[parent] = Math.Min(low[parent], low[node]);
                }

                if (low[node] == index[node])
                {
                    var component = new List<string>();
                    string member;
                    do
                    {
                        member = stack.Pop();
                        onStack.Remove(member);
                        component.Add(member);
                    }
                    while (member != node);

                    if (component.Count > 1)
                    {
                        cycles.Add(OrderAsCycle(component, outgoing));
                    }
                }
            }
        }

        return cycles;
    }

    private static List<string> OrderAsCycle(List<string> component, IReadOnlyDictionary<string, List<string>> outgoing)
    {
        // The shortest cycle through the component's smallest id, found breadth-first inside the
        // component (neighbours in id order, so the message is stable). Every step of the path is a
        // real edge, including the one that closes it; a greedy walk could stop at a node it had
        // already visited and print a closing edge that does not exist.
        var members = component.ToHashSet(StringComparer.Ordinal);
        var start = component.Min(StringComparer.Ordinal)!;
        var previous = new Dictionary<string, string>(StringComparer.Ordinal);
        var queue = new Queue<string>();
        queue.Enqueue(start);
        while (queue.Count > 0)
        {
            var current = queue.Dequeue();
            foreach (var nextNode in outgoing[current].Where(members.Contains).Order(StringComparer.Ordinal))
            {
                if (nextNode == start)
                {
                    var path = new List<string>();
                    for (var node = current; node != start; node = previous[node])
                    {
                        path.Add(node);
                    }

                    path.Add(start);
                    path.Reverse();
                    return path;
                }

                if (previous.TryAdd(nextNode, current))
                {
                    queue.Enqueue(nextNode);
                }
            }
        }

        // Unreachable for a strongly connected component of two or more nodes.
        return component.Order(StringComparer.Ordinal).ToList();
    }
}
