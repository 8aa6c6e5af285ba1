using System.Text.Json.Nodes;
using TaskFlow.Core.Activities;
using TaskFlow.Core.Graph;
using TaskFlow.Core.Model;

namespace TaskFlow.Core.Scheduling;

public sealed partial class InstanceTransition
{
    private bool StartForEach(GraphNode node, NodeState state, ForEachResult forEach)
    {
        var count = forEach.Items.Count;
        if (count > Limits.MaxForEachItems)
        {
            return Failure(node, state, null, $"The list has {count} items, more than the foreach limit of {Limits.MaxForEachItems}.", retryable: false);
        }

        if (count == 0)
        {
            return Succeeded(node, state, new JsonArray(), [ActivityDescriptor.DefaultOutcome]);
        }

        state.Status = NodeStatus.Waiting;
        state.ItemsTotal = count;
        state.ItemsDone = 0;
        state.ItemsStarted = Math.Min(count, Math.Max(1, forEach.MaxParallelism));
        state.Data = WithLoopData(state, new JsonObject { ["maxParallelism"] = forEach.MaxParallelism });
        state.IsDirty = true;
        for (var i = 0; i < count; i++)
        {
            // Iteration rows are written fresh for each attempt of the foreach: a retried foreach starts over.
            var iteration = new NodeState(NodeState.IterationId(node.Id, i))
            {
                Data = forEach.Items[i]?.DeepClone(),
                IsNew = !States.ContainsKey(NodeState.IterationId(node.Id, i)),
                IsDirty = true,
            };
            States[iteration.NodeId] = iteration;
            if (i < state.ItemsStarted)
            {
                ScheduleIteration(node, iteration);
            }
        }

        Journal.Add(new(JournalEventType.NodeSuspended, node.Id, state.Attempt, Now, $"Running {count} items, at most {state.ItemsStarted} at once."));
        return true;
    }

    private void ScheduleIteration(GraphNode node, NodeState iteration)
    {
        iteration.Status = NodeStatus.Scheduled;
        iteration.Attempt = 1;
        iteration.IsDirty = true;
        Work.Add(new(iteration.NodeId, 1, node.Priority, Now, Payload: IterationPayload(iteration)));
    }

    private static JsonObject IterationPayload(NodeState iteration)
    {
        NodeState.TryParseIteration(iteration.NodeId, out _, out var index);
        return new JsonObject { ["item"] = iteration.Data?.DeepClone(), ["index"] = index };
    }

    private bool IterationSucceeded(GraphNode node, NodeState parent, NodeState iteration, int index, JsonNode? output, JsonObject? variableWrites)
    {
        var last = parent.ItemsDone + 1 == parent.ItemsTotal;
        var nextId = parent.ItemsStarted < parent.ItemsTotal ? NodeState.IterationId(node.Id, parent.ItemsStarted) : null;
        var needed = last
            ? Enumerable.Range(0, parent.ItemsTotal).Select(i => NodeState.IterationId(node.Id, i))
            : nextId is null ? [] : [nextId];
        if (!RequireAll(needed))
        {
            return false;
        }

        Finish(iteration, NodeStatus.Succeeded);
        WriteVariables(variableWrites);
        iteration.Output = output;
        parent.ItemsDone++;
        parent.IsDirty = true;
        Journal.Add(new(JournalEventType.NodeSucceeded, iteration.NodeId, iteration.Attempt, Now));
        if (nextId is not null)
        {
            parent.ItemsStarted++;
            ScheduleIteration(node, States[nextId]);
        }

        if (!last)
        {
            return true;
        }

        var outputs = new JsonArray();
        for (var i = 0; i < parent.ItemsTotal; i++)
        {
            outputs.Add(States[NodeState.IterationId(node.Id, i)].Output?.DeepClone());
        }

        return Succeeded(node, parent, outputs, [ActivityDescriptor.DefaultOutcome]);
    }

    private bool IterationFailed(GraphNode node, NodeState parent, NodeState iteration, string error)
    {
        var all = Enumerable.Range(0, parent.ItemsTotal).Select(i => NodeState.IterationId(node.Id, i)).ToArray();
        if (!RequireAll(all))
        {
            return false;
        }

        Finish(iteration, NodeStatus.Failed);
        iteration.Error = error;
        Journal.Add(new(JournalEventType.NodeFailed, iteration.NodeId, iteration.Attempt, Now, error));
        foreach (var id in all)
        {
            var other = States[id];
            if (!other.IsFinished)
            {
                Finish(other, NodeStatus.Cancelled);
            }
        }

        CancelledNodes.Add(node.Id);
        NodeState.TryParseIteration(iteration.NodeId, out _, out var index);
        return Failure(node, parent, null, $"Item {index} failed: {error}", retryable: false);
    }
}
