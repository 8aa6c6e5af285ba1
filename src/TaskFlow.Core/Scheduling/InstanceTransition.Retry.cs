using TaskFlow.Core.Activities;
using TaskFlow.Core.Model;

namespace TaskFlow.Core.Scheduling;

public sealed partial class InstanceTransition
{
    /// <summary>
    /// Reopens a failed instance at one of its failed nodes: the node runs again as a new
    /// attempt, and the nodes whose work was withdrawn when the instance failed are queued again.
    /// Every node state must be loaded first. Returns null on success, or why the retry is refused.
    /// </summary>
    /// <remarks>
    /// A node that was waiting when the instance failed starts over: a delay waits its whole
    /// duration again and a child-workflow node starts a new child (the old one was cancelled
    /// with its parent). A waiting foreach keeps its finished items and re-queues the ones in flight.
    /// </remarks>
    public string? Retry(string nodeId)
    {
        if (Instance.Status != InstanceStatus.Failed)
        {
            return $"Only a failed instance can be retried; this one is {Instance.Status.ToString().ToLowerInvariant()}.";
        }

        if (NodeState.TryParseIteration(nodeId, out var parentId, out _))
        {
            return $"'{nodeId}' is one item of foreach '{parentId}'; retry '{parentId}', which runs its list again.";
        }

        if (!Graph.TryGetNode(nodeId, out var node))
        {
            return $"The workflow has no node '{nodeId}'.";
        }

        if (!States.TryGetValue(nodeId, out var state) || state.Status != NodeStatus.Failed)
        {
            var failed = States.Values.Where(s => s.Status == NodeStatus.Failed && !NodeState.TryParseIteration(s.NodeId, out _, out _)).Select(s => $"'{s.NodeId}'").ToArray();
            return $"Node '{nodeId}' did not fail ({(state?.Status ?? NodeStatus.Pending).ToString().ToLowerInvariant()}); "
                + (failed.Length == 0 ? "no node failed, so the instance failed on its own (see its error) and cannot be retried." : $"failed: {string.Join(", ", failed)}.");
        }

        Instance.Status = InstanceStatus.Running;
        Instance.Error = null;
        Instance.Output = null;
        Instance.ActiveNodes++;
        state.Status = NodeStatus.Scheduled;
        state.Attempt++;
        state.Error = null;
        state.FinishedAt = null;
        state.IsDirty = true;
        Work.Add(new(node.Id, state.Attempt, node.Priority, Now));
        Journal.Add(new(JournalEventType.NodeRetried, node.Id, state.Attempt, Now, $"Retried by request as attempt {state.Attempt}; the instance is running again."));

        foreach (var other in States.Values.Where(s => s.IsInFlight && s.NodeId != nodeId).OrderBy(s => s.NodeId, StringComparer.Ordinal))
        {
            Requeue(other);
        }

        return null;
    }

    /// <summary>Queues again a node whose work was withdrawn when the instance failed; its attempt stays the same.</summary>
    private void Requeue(NodeState state)
    {
        if (NodeState.TryParseIteration(state.NodeId, out var parentId, out _))
        {
            if (States.TryGetValue(parentId, out var parent) && parent.Status == NodeStatus.Waiting)
            {
                state.Status = NodeStatus.Scheduled;
                state.IsDirty = true;
                Work.Add(new(state.NodeId, state.Attempt, Graph[parentId].Priority, Now, Payload: IterationPayload(state)));
            }

            return;
        }

        var node = Graph[state.NodeId];
        if (node.Type == BuiltInActivities.ForEach && state.Status == NodeStatus.Waiting && state.ItemsTotal > 0)
        {
            return;
        }

        state.Status = NodeStatus.Scheduled;
        state.IsDirty = true;
        Work.Add(new(node.Id, state.Attempt, node.Priority, Now));
        Journal.Add(new(JournalEventType.NodeScheduled, node.Id, state.Attempt, Now, "Queued again: the instance was retried."));
    }
}
