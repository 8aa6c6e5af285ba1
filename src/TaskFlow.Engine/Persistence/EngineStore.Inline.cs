using System.Diagnostics;
using TaskFlow.Core.Activities;
using TaskFlow.Core.Scheduling;

namespace TaskFlow.Engine.Persistence;

public abstract partial class EngineStore
{
    private long _inlineSteps;

    /// <summary>Steps this store ran inside the commit that made them due (see <see cref="RunInlineAsync"/>).</summary>
    internal long InlineSteps => Interlocked.Read(ref _inlineSteps);

    /// <summary>
    /// Runs the pure steps <paramref name="transition"/> made due now inside it, one after another,
    /// each result applied (and its successors made due) before the next is chosen, until none is
    /// due or the commit's <paramref name="budget"/> is spent. What is left is queued as usual.
    /// </summary>
    /// <param name="load">
    /// Loads the stored states of the given nodes into the transition; false when it cannot (the
    /// guarded commit holds only its cached states). A step whose inputs need such a state is left
    /// queued; a transition that needs one returns false and must not be written.
    /// </param>
    private async Task<bool> RunInlineAsync(InstanceTransition transition, InstanceRecord instance, IInlineStepRunner runner, InlineBudget budget, Func<IReadOnlyCollection<string>, Task<bool>> load, CancellationToken cancellationToken)
    {
        var graph = transition.Graph;
        var declined = new HashSet<WorkRequest>();
        while (!budget.Spent && transition.Instance.Status == Core.Model.InstanceStatus.Running)
        {
            var next = transition.DueNow().FirstOrDefault(w => !declined.Contains(w) && graph.TryGetNode(w.NodeId, out var n) && Inlinable(n) && runner.CanRun(graph, n, instance.Id));
            if (next is null)
            {
                return true;
            }

            var node = graph[next.NodeId];
            InstanceScope? scope = null;
            if (!node.Inputs.IsConstant)
            {
                var referenced = node.Inputs.ReferencedNodeIds.Where(id => graph.TryGetNode(id, out _)).ToArray();
                var missing = referenced.Where(id => !transition.States.ContainsKey(id)).ToArray();
                if (missing.Length > 0 && !await load(missing))
                {
                    declined.Add(next);
                    continue;
                }

                // The scope gets copies: a JSON node has one parent, and the transition keeps its own.
                scope = new InstanceScope(
                    transition.Instance.Input.DeepClone().AsObject(),
                    transition.Instance.Variables.DeepClone().AsObject(),
                    transition.Instance.Depth,
                    [.. referenced.Where(transition.States.ContainsKey).Select(id => ToRecord(instance.Id, transition.States[id]))]);
            }

            transition.TakeInline(next);
            var work = new ClaimedWork(0, 0, instance.Id, next.NodeId, next.Attempt, false, null, graph.Id, graph.Version, next.Priority);
            var result = await runner.RunAsync(graph, work, scope, cancellationToken);
            transition.Apply(next.NodeId, next.Attempt, result);
            budget.Take();
            Interlocked.Increment(ref _inlineSteps);
            for (var wanted = transition.Run(); wanted.Count > 0; wanted = transition.Run())
            {
                if (!await load(wanted))
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>
    /// False for a node whose inputs read <c>instance</c>: its correlation id is not part of the row a
    /// commit holds. Such a step runs from the queue, where its scope is read whole.
    /// </summary>
    private static bool Inlinable(Core.Graph.GraphNode node) => !node.Inputs.ReferencedRoots.Contains("instance");

    /// <summary>What one commit may still run inline: a count and a time.</summary>
    private sealed class InlineBudget(IInlineStepRunner runner)
    {
        private readonly long _started = Stopwatch.GetTimestamp();
        private int _left = runner.MaxPerCommit;

        public bool Spent => _left <= 0 || Stopwatch.GetElapsedTime(_started) > runner.MaxTimePerCommit;

        public void Take() => _left--;
    }
}
