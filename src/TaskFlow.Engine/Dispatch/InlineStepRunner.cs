using Microsoft.Extensions.Options;
using TaskFlow.Core.Activities;
using TaskFlow.Core.Graph;
using TaskFlow.Engine.Activities;
using TaskFlow.Engine.Hosting;
using TaskFlow.Engine.Persistence;

namespace TaskFlow.Engine.Dispatch;

/// <summary>
/// The worker's runner of pure steps inside its commits (docs/engine.md, "Pure steps run inline"):
/// a node whose activity type is declared pure (<see cref="ActivityDescriptor.Pure"/>) runs there
/// through the <see cref="ActivityExecutor"/>, with its logging scope, metrics, span and secret
/// redaction. <see cref="TaskFlowEngineOptions.MaxInlineSteps"/> bounds a commit; 0 turns it off.
/// </summary>
public sealed class InlineStepRunner(ActivityExecutor executor, ActivityCatalog catalog, Diagnostics.InstanceTraces traces, IOptions<TaskFlowEngineOptions> options) : IInlineStepRunner
{
    public int MaxPerCommit { get; } = options.Value.MaxInlineSteps;

    public TimeSpan MaxTimePerCommit { get; } = options.Value.MaxInlineTime;

    public bool CanRun(WorkflowGraph graph, GraphNode node, string instanceId) =>
        catalog.TryGet(node.Type, out var registration) && registration.Descriptor.Pure &&
        // A node's span hangs under its instance's root span; inline, that must be known without a read.
        (!Diagnostics.EngineTracing.Enabled || traces.TryGetKnown(instanceId, out _));

    public ValueTask<ActivityResult> RunAsync(WorkflowGraph graph, ClaimedWork work, InstanceScope? scope, CancellationToken cancellationToken) =>
        executor.ExecuteInlineAsync(graph, work, scope, cancellationToken);
}
