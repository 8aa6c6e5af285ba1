using System.Text.Json.Nodes;
using TaskFlow.Core.Activities;
using TaskFlow.Core.Events;
using TaskFlow.Core.Graph;
using TaskFlow.Core.Model;

namespace TaskFlow.Core.Scheduling;

public sealed partial class InstanceTransition
{
    private bool HandleExecuted(Executed e)
    {
        var isIteration = NodeState.TryParseIteration(e.NodeId, out var parentId, out var index);
        var node = Graph[isIteration ? parentId : e.NodeId];
        var state = Require(e.NodeId);
        var parent = isIteration ? Require(parentId) : null;

        // Everything the outgoing conditions read is loaded before anything changes, so no
        // handler below has to stop half way for a missing state.
        if (!RequireAll(ConditionNodes(node)) || state is null || (isIteration && parent is null))
        {
            return false;
        }

        // A result for an attempt that is no longer current (already completed, skipped, or
        // superseded by a retry after a lost lease) must not change anything.
        if (!state.IsInFlight || state.Attempt != e.Attempt || (parent is not null && parent.Status != NodeStatus.Waiting))
        {
            return true;
        }

        return e.Result switch
        {
            SucceededResult ok => isIteration ? IterationSucceeded(node, parent!, state, index, ok.Output, ok.VariableWrites) : Succeeded(node, state, ok.Output, ok.Outcomes, ok.VariableWrites),
            FailedResult failed => HandleFailure(node, state, parent, failed),
            SuspendedResult suspended => Suspend(node, state, suspended.ResumeAt, suspended.Wait),
            StartChildResult { Wait: false } child => Dispatch(node, state, parent, index, child),
            StartChildResult child => StartChild(state, child),
            ForEachResult forEach when !isIteration => StartForEach(node, state, forEach),
            ForEachResult => Failure(node, state, parent, "A foreach cannot run as the body of another foreach; use a child workflow.", retryable: false),
            _ => throw new InvalidOperationException($"Unknown activity result {e.Result.GetType().Name}."),
        };
    }

    /// <summary>Applies variables written by JavaScript (<c>setVariable</c>), as the setVariable activity's result is applied.</summary>
    private void WriteVariables(IEnumerable<KeyValuePair<string, JsonNode?>>? writes)
    {
        if (writes is null)
        {
            return;
        }

        foreach (var (name, value) in writes)
        {
            Instance.Variables[name] = value?.DeepClone();
            Instance.VariablesChanged = true;
        }
    }

    private IEnumerable<string> ConditionNodes(GraphNode node) =>
        node.Outgoing.Where(o => o.Condition is not null).SelectMany(o => o.Condition!.ReferencedNodeIds).Where(id => Graph.TryGetNode(id, out _));

    /// <summary>Which outgoing edges are taken for these outcomes; an error message when a condition cannot be evaluated.</summary>
    private bool[] TakenEdges(GraphNode node, JsonNode? output, IReadOnlyList<string> outcomes, out string? error)
    {
        error = null;
        var taken = new bool[node.Outgoing.Count];
        for (var i = 0; i < node.Outgoing.Count; i++)
        {
            var edge = node.Outgoing[i];
            if (!outcomes.Contains(edge.Port))
            {
                continue;
            }

            try
            {
                var status = outcomes.Contains("error") ? NodeStatus.Failed : NodeStatus.Succeeded;
                var effects = edge.Condition is { IsJavaScript: true } ? new Scripting.ScriptEffects() : null;
                taken[i] = edge.Condition is null || edge.Condition.EvaluateCondition(BuildScope(edge.Condition.ReferencedNodeIds, output, (node.Id, status)), effects);
                WriteVariables(effects?.Variables);
            }
            catch (Templates.TemplateEvaluationException ex)
            {
                error = $"The condition of edge '{edge.Definition.DisplayName}' could not be evaluated: {ex.Message}";
                return taken;
            }
        }

        return taken;
    }

    private bool Succeeded(GraphNode node, NodeState state, JsonNode? output, IReadOnlyList<string> outcomes, JsonObject? variableWrites = null)
    {
        if (!RequireAll(ConditionNodes(node)))
        {
            return false;
        }

        // Variables the node's JavaScript wrote are visible to its outgoing conditions (as a script's
        // writes are to what follows it), and undone, with any a JavaScript condition wrote, if a
        // condition fails the node.
        var before = variableWrites is null && !node.Outgoing.Exists(o => o.Condition is { IsJavaScript: true })
            ? null
            : Instance.Variables.DeepClone().AsObject();
        WriteVariables(variableWrites);
        var taken = TakenEdges(node, output, outcomes, out var conditionError);
        if (conditionError is not null)
        {
            if (before is not null)
            {
                Instance.Variables.Clear();
                WriteVariables(before);
            }

            return Failure(node, state, null, conditionError, retryable: false);
        }

        Finish(state, NodeStatus.Succeeded);
        state.Output = output;
        state.Error = null;
        if (node.Type == BuiltInActivities.SetVariable && output is JsonObject set && set["name"]?.GetValueKind() == System.Text.Json.JsonValueKind.String)
        {
            Instance.Variables[set["name"]!.GetValue<string>()] = set["value"]?.DeepClone();
            Instance.VariablesChanged = true;
        }

        Journal.Add(new(JournalEventType.NodeSucceeded, node.Id, state.Attempt, Now, outcomes is [ActivityDescriptor.DefaultOutcome] ? null : "outcome: " + string.Join(", ", outcomes)));
        FollowEdges(node, taken);
        return true;
    }

    private bool HandleFailure(GraphNode node, NodeState state, NodeState? parent, FailedResult failed) =>
        Failure(node, state, parent, failed.Error, failed.Retryable);

    private bool Failure(GraphNode node, NodeState state, NodeState? parent, string error, bool retryable)
    {
        var attemptOfRound = state.Attempt - (parent is null ? AttemptBase(state) : 0);
        if (retryable && attemptOfRound < node.Retry.MaxAttempts)
        {
            var delay = node.Retry.BackoffBefore(attemptOfRound + 1);
            state.Attempt++;
            state.Status = NodeStatus.Scheduled;
            state.Error = error;
            state.IsDirty = true;
            var payload = parent is null ? null : IterationPayload(state);
            Work.Add(new(state.NodeId, state.Attempt, node.Priority, Now + delay, Payload: payload));
            Journal.Add(new(JournalEventType.NodeRetried, state.NodeId, state.Attempt, Now, $"Attempt {state.Attempt - 1} failed: {error} Retrying in {delay.TotalSeconds:0.###}s (attempt {attemptOfRound + 1} of {node.Retry.MaxAttempts})."));
            return true;
        }

        if (parent is not null)
        {
            return IterationFailed(node, parent, state, error);
        }

        var hasErrorEdges = node.Outgoing.Exists(o => o.Port == "error");
        Finish(state, NodeStatus.Failed);
        state.Error = error;
        Journal.Add(new(JournalEventType.NodeFailed, node.Id, state.Attempt, Now, error));
        if (!hasErrorEdges)
        {
            FailInstance($"Node '{node.Id}' failed: {error}");
            return true;
        }

        // The node handles its failure through 'error' edges (their conditions see output.error);
        // every other edge is dead.
        var taken = TakenEdges(node, new JsonObject { ["error"] = error }, ["error"], out var conditionError);
        if (conditionError is not null)
        {
            FailInstance($"Node '{node.Id}' failed: {error} ({conditionError})");
            return true;
        }

        FollowEdges(node, taken);
        return true;
    }

    private bool Suspend(GraphNode node, NodeState state, DateTimeOffset? resumeAt, EventWait? wait)
    {
        state.Status = NodeStatus.Waiting;
        state.IsDirty = true;
        resumeAt = RoundUpToMillisecond(resumeAt);
        if (resumeAt is { } at)
        {
            Work.Add(new(state.NodeId, state.Attempt, node.Priority, at < Now ? Now : at, Resume: true));
        }

        if (wait is not null)
        {
            Waits.Add(new(state.NodeId, state.Attempt, wait));
        }

        Journal.Add(new(JournalEventType.NodeSuspended, state.NodeId, state.Attempt, Now, Describe(resumeAt, wait)));
        return true;
    }

    /// <summary>
    /// Stores keep times to the millisecond; a due time is rounded up to one so that the stored
    /// time, the described time and the firing agree, and nothing fires before the time asked.
    /// </summary>
    private static DateTimeOffset? RoundUpToMillisecond(DateTimeOffset? at)
    {
        if (at is not { } t)
        {
            return null;
        }

        var extra = t.Ticks % TimeSpan.TicksPerMillisecond;
        return extra == 0 ? t : t.AddTicks(TimeSpan.TicksPerMillisecond - extra);
    }

    private static string Describe(DateTimeOffset? resumeAt, EventWait? wait) => wait switch
    {
        null => resumeAt is { } t ? $"Waiting until {t:O}." : "Waiting to be resumed.",
        _ => $"Waiting for event '{wait.Name}'{(wait.Correlation is null ? "" : $" with correlation '{wait.Correlation}'")}{(resumeAt is { } t ? $" until {t:O}" : "")}.",
    };

    private bool StartChild(NodeState state, StartChildResult child)
    {
        state.Status = NodeStatus.Waiting;
        state.IsDirty = true;
        Children.Add(new(state.NodeId, state.Attempt, child.DefinitionId, child.Version, child.Input, CorrelationId: child.CorrelationId));
        Journal.Add(new(JournalEventType.ChildStarted, state.NodeId, state.Attempt, Now, $"Started child workflow '{child.DefinitionId}'."));
        return true;
    }

    /// <summary>
    /// A child started without waiting: it is created with this commit, with no link back (the parent
    /// neither waits for it nor cancels it), and the node succeeds with its instance id.
    /// </summary>
    private bool Dispatch(GraphNode node, NodeState state, NodeState? parent, int index, StartChildResult child)
    {
        // The success first: it may stop for stored state and run again once that is loaded, and the
        // child must be started by the run that completes.
        var id = Guid.CreateVersion7().ToString();
        var output = new JsonObject { ["instanceId"] = id, ["definitionId"] = child.DefinitionId };
        var journaled = Journal.Count;
        var done = parent is not null
            ? IterationSucceeded(node, parent, state, index, output, null)
            : Succeeded(node, state, output, [ActivityDescriptor.DefaultOutcome]);
        if (done)
        {
            Children.Add(new(state.NodeId, state.Attempt, child.DefinitionId, child.Version, child.Input, DispatchedId: id, CorrelationId: child.CorrelationId));
            Journal.Insert(journaled, new(JournalEventType.ChildStarted, state.NodeId, state.Attempt, Now, $"Started child workflow '{child.DefinitionId}' as instance {id}, without waiting for it."));
        }

        return done;
    }

    private bool HandleArrive(Arrive e)
    {
        var node = Graph[e.NodeId];

        // A node with a single inbound edge hears from nobody else, and its one predecessor
        // finishes exactly once: its state is certainly still fresh, so it need not be loaded.
        // This saves a read per step of every chain. A node a loop runs again has an earlier
        // round's state (its last attempt), which must be read.
        if (node.Inbound.Count == 1 && !node.InLoop && !States.ContainsKey(e.NodeId))
        {
            States[e.NodeId] = new NodeState(e.NodeId);
        }

        var state = Require(e.NodeId);
        if (state is null)
        {
            return false;
        }

        if (state.Status != NodeStatus.Pending)
        {
            // Already fired (a WaitAny join), skipped or cancelled: late arrivals change nothing.
            return true;
        }

        var mode = node.JoinMode ?? JoinMode.WaitAllActive;
        var inbound = node.Inbound.Count;
        if (mode == JoinMode.WaitAny && e.Taken)
        {
            var losers = Graph.Ancestors(node.Id).Except(Graph.Ancestors(e.From)).Where(id => id != e.From).ToArray();
            if (!RequireAll(losers))
            {
                return false;
            }

            state.Arrived++;
            Schedule(node, state);
            SkipLosers(node, e.From, losers);
            return true;
        }

        if (e.Taken)
        {
            state.Arrived++;
        }
        else
        {
            state.Dead++;
        }

        state.IsDirty = true;
        if (state.Arrived + state.Dead < inbound)
        {
            return true;
        }

        if (mode == JoinMode.WaitAll && state.Dead > 0)
        {
            Skip(node, state, $"WaitAll join: {state.Dead} of {inbound} inbound branches were not taken, so it cannot complete; use WaitAllActive to join only the active branches.");
        }
        else if (state.Arrived == 0)
        {
            Skip(node, state, "None of its inbound edges was taken.");
        }
        else
        {
            Schedule(node, state);
        }

        return true;
    }

    private void Skip(GraphNode node, NodeState state, string reason)
    {
        Finish(state, NodeStatus.Skipped);
        Journal.Add(new(JournalEventType.NodeSkipped, node.Id, state.Attempt, Now, reason));
        foreach (var edge in node.Outgoing.Where(o => !o.IsLoop))
        {
            _queue.Enqueue(new Arrive(edge.To, false, node.Id));
        }
    }

    private void SkipLosers(GraphNode join, string winner, IReadOnlyList<string> losers)
    {
        var skipped = new List<GraphNode>();
        foreach (var id in losers)
        {
            var state = States[id];
            if (state.IsFinished)
            {
                continue;
            }

            if (state.IsInFlight)
            {
                CancelledNodes.Add(id);
            }

            Finish(state, NodeStatus.Skipped);
            Journal.Add(new(JournalEventType.NodeSkipped, id, state.Attempt, Now, $"Branch lost to '{winner}' at WaitAny join '{join.Id}'."));
            skipped.Add(Graph[id]);
        }

        // Edges leaving the losing branch for nodes outside it are dead, so those nodes still resolve.
        var loserSet = losers.ToHashSet(StringComparer.Ordinal);
        foreach (var node in skipped)
        {
            foreach (var edge in node.Outgoing.Where(o => o.To != join.Id && !o.IsLoop && !loserSet.Contains(o.To)))
            {
                _queue.Enqueue(new Arrive(edge.To, false, node.Id));
            }
        }
    }
}
