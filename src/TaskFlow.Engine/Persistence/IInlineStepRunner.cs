using TaskFlow.Core.Activities;
using TaskFlow.Core.Graph;

namespace TaskFlow.Engine.Persistence;

/// <summary>
/// Runs pure steps inside the commit that made them due, so that a chain of them costs one commit
/// (docs/engine.md, "Pure steps run inline"). The worker hands one to <see cref="EngineStore.CompleteAsync"/>.
/// </summary>
public interface IInlineStepRunner
{
    /// <summary>Most steps one commit runs inline.</summary>
    int MaxPerCommit { get; }

    /// <summary>Longest one commit spends running steps inline.</summary>
    TimeSpan MaxTimePerCommit { get; }

    /// <summary>True when the node's activity is pure and its run needs nothing beyond what the commit holds.</summary>
    bool CanRun(WorkflowGraph graph, GraphNode node, string instanceId);

    /// <summary>
    /// Runs the step, its templates reading <paramref name="scope"/> (null for constant inputs); reads
    /// no database. The result is a success or a failure.
    /// </summary>
    ValueTask<ActivityResult> RunAsync(WorkflowGraph graph, ClaimedWork work, InstanceScope? scope, CancellationToken cancellationToken);
}
