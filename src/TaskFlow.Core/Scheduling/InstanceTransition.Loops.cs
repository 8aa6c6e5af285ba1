using System.Text.Json.Nodes;
using TaskFlow.Core.Graph;
using TaskFlow.Core.Model;

namespace TaskFlow.Core.Scheduling;

// Loop edges: taking one resets the nodes of its region to pending and schedules its target again.
public sealed partial class InstanceTransition
{
    /// <summary>The member of a node's data that holds its last attempt before its loop reset it.</summary>
    private const string AttemptBaseData = "attemptBase";

    /// <summary>The member of a loop target's data that counts, per loop edge, how often that edge was taken.</summary>
    private const string RoundsData = "loops";

    /// <summary>Loop edges taken, to go back once the events their round set off have settled.</summary>
    private readonly Queue<GraphLoop> _loopBacks = new();

    /// <summary>Arrivals for the edges a node's result took or left; a taken loop edge goes back later instead.</summary>
    private void FollowEdges(GraphNode node, bool[] taken)
    {
        for (var i = 0; i < node.Outgoing.Count; i++)
        {
            var edge = node.Outgoing[i];
            if (edge.Loop is { } loop)
            {
                if (taken[i])
                {
                    _loopBacks.Enqueue(loop);
                }
            }
            else
            {
                _queue.Enqueue(new Arrive(edge.To, taken[i], node.Id));
            }
        }
    }

    /// <summary>
    /// Takes a loop edge: every node of its region that is not in flight goes back to pending, with
    /// nothing arrived, and its target is scheduled. False while states are missing.
    /// </summary>
    private bool LoopBack(GraphLoop loop)
    {
        if (!RequireAll(loop.Region))
        {
            return false;
        }

        var edge = loop.Edge.Definition.DisplayName;
        var target = States[loop.Target];
        var rounds = (target.Data as JsonObject)?[RoundsData]?[edge]?.GetValue<int>() ?? 0;
        if (rounds >= loop.MaxIterations)
        {
            FailInstance($"Loop edge '{edge}' was taken {rounds} times, its maxIterations ({loop.MaxIterations}); the loop was stopped.");
            return true;
        }

        foreach (var id in loop.Region)
        {
            var state = States[id];
            if (!state.IsInFlight)
            {
                Reset(state, keepRounds: id == loop.Target);
            }
        }

        if (target.IsInFlight)
        {
            return true;
        }

        var data = (JsonObject)target.Data!;
        if (data[RoundsData] is not JsonObject counts)
        {
            data[RoundsData] = counts = [];
        }

        counts[edge] = rounds + 1;
        Journal.Add(new(JournalEventType.LoopedBack, loop.Target, target.Attempt, Now, $"Loop edge '{edge}' taken ({rounds + 1} of at most {loop.MaxIterations}): '{loop.Target}' and the {loop.Region.Count - 1} node{(loop.Region.Count == 2 ? "" : "s")} after it run again."));
        Schedule(Graph[loop.Target], target);
        return true;
    }

    /// <summary>Back to pending, as if never reached, remembering the last attempt (and, for the loop's target, its rounds).</summary>
    private static void Reset(NodeState state, bool keepRounds)
    {
        var data = new JsonObject { [AttemptBaseData] = state.Attempt };
        if (keepRounds && (state.Data as JsonObject)?[RoundsData] is JsonObject rounds)
        {
            data[RoundsData] = rounds.DeepClone();
        }

        state.Status = NodeStatus.Pending;
        state.Arrived = 0;
        state.Dead = 0;
        state.Error = null;
        state.ItemsTotal = 0;
        state.ItemsStarted = 0;
        state.ItemsDone = 0;
        state.StartedAt = null;
        state.FinishedAt = null;
        state.Data = data;
        state.IsDirty = true;
    }

    /// <summary>The node's last attempt before a loop reset it; 0 for a node never reset.</summary>
    private static int AttemptBase(NodeState state) =>
        !NodeState.TryParseIteration(state.NodeId, out _, out _) && (state.Data as JsonObject)?[AttemptBaseData] is JsonValue value && value.TryGetValue<int>(out var attempt)
            ? attempt
            : 0;

    /// <summary>A foreach's own data with the loop bookkeeping of its state kept.</summary>
    private static JsonObject WithLoopData(NodeState state, JsonObject data)
    {
        if (state.Data is JsonObject old)
        {
            foreach (var key in new[] { AttemptBaseData, RoundsData })
            {
                if (old[key] is { } value)
                {
                    data[key] = value.DeepClone();
                }
            }
        }

        return data;
    }
}
