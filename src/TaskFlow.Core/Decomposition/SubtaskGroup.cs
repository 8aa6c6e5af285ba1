namespace TaskFlow.Core.Decomposition;

/// <summary>One group of the hierarchical strategy.</summary>
/// <param name="Number">1-based position: the group's nodes are <c>g{Number}.fork</c>, <c>.join</c> and <c>.aggregate</c>.</param>
/// <param name="Name">The heading or group name, or <c>Layer n</c> / <c>Part n</c>.</param>
/// <param name="Members">Its subtasks, in input order.</param>
/// <param name="After">Numbers of the groups it starts after (no redundant ones: transitively reduced).</param>
internal sealed record SubtaskGroup(int Number, string Name, IReadOnlyList<Subtask> Members, IReadOnlyList<int> After);
