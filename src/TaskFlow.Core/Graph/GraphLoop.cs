using System.Collections.Frozen;

namespace TaskFlow.Core.Graph;

/// <summary>
/// What one loop edge makes run again when it is taken: its body (the nodes on the paths from its
/// target to its source) and its region (the body and every node after a body node). The region
/// is reset to pending as a whole, so every arrival count in it starts afresh.
/// </summary>
public sealed class GraphLoop(GraphEdge edge, FrozenSet<string> body, FrozenSet<string> region)
{
    /// <summary>The default of <c>maxIterations</c>.</summary>
    public const int DefaultMaxIterations = 1000;

    public GraphEdge Edge { get; } = edge;

    /// <summary>The node the loop goes back to.</summary>
    public string Target => Edge.To;

    public FrozenSet<string> Body { get; } = body;

    public FrozenSet<string> Region { get; } = region;

    public int MaxIterations => Edge.Definition.MaxIterations ?? DefaultMaxIterations;
}
