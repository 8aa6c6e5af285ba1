using TaskFlow.Core.Activities;

namespace TaskFlow.Core.Decomposition;

internal sealed partial class DefinitionBuilder
{
    //   start ──> a ──┐
    //         ──> b ──┼──> join ──> aggregate
    //         ──> c ──┘
    private void LayOutParallel()
    {
        var subtasks = _level.Subtasks;
        AddNode(DecompositionIds.Start, BuiltInActivities.Noop, "Start");
        var ends = AddMembers(DecompositionIds.Start, subtasks);
        Converge(ends, DecompositionIds.Join, "Wait for every subtask", DecompositionIds.Aggregate, "Aggregate", subtasks.Select(s => (s.Id, s.Weight)).ToList());
    }

    //   a ──> b ──> c ──> aggregate      (a topological order of the dependencies)
    private void LayOutSequential()
    {
        var order = DependencyOrder.Topological(_level.Subtasks);
        foreach (var subtask in order)
        {
            AddSubtaskNode(subtask);
        }

        for (var i = 1; i < order.Count; i++)
        {
            AddEdge(order[i - 1].Id, order[i].Id);
        }

        AddEdge(order[^1].Id, DecompositionIds.Aggregate);
        AddNode(DecompositionIds.Aggregate, AggregateActivityDescriptor.Type, "Aggregate", AggregateInputs(order.Select(s => (s.Id, s.Weight)).ToList()));
    }

    //          ┌─> g1.fork ─> a, b ─> g1.join ─> g1.aggregate ─┐
    //   start ─┤                                               ├─> join ─> aggregate
    //          └─> g2.fork ─> c ───────────────> g2.aggregate ─┘
    // A group that must wait for others starts after their aggregates instead of after start.
    private void LayOutHierarchical()
    {
        var groups = SubtaskGroups.Form(_level.Subtasks);
        AddNode(DecompositionIds.Start, BuiltInActivities.Noop, "Start");
        foreach (var group in groups)
        {
            var fork = DecompositionIds.GroupFork(group.Number);
            AddNode(fork, BuiltInActivities.Noop, group.Name);
            if (group.After.Count == 0)
            {
                AddEdge(DecompositionIds.Start, fork);
            }

            foreach (var before in group.After)
            {
                AddEdge(DecompositionIds.GroupAggregate(before), fork);
            }

            var ends = AddMembers(fork, group.Members);
            Converge(ends, DecompositionIds.GroupJoin(group.Number), $"Wait for {group.Name}", DecompositionIds.GroupAggregate(group.Number), $"Aggregate {group.Name}",
                group.Members.Select(s => (s.Id, s.Weight)).ToList());
        }

        // Bottom-up: the final aggregate sees every group's aggregate, and waits for the groups no other group waits for.
        var waitedFor = groups.SelectMany(g => g.After).ToHashSet();
        var lastGroups = groups.Where(g => !waitedFor.Contains(g.Number)).Select(g => DecompositionIds.GroupAggregate(g.Number)).ToList();
        Converge(lastGroups, DecompositionIds.Join, "Wait for every group", DecompositionIds.Aggregate, "Aggregate",
            groups.Select(g => (DecompositionIds.GroupAggregate(g.Number), g.Members.Sum(s => s.Weight))).ToList());
    }
}
