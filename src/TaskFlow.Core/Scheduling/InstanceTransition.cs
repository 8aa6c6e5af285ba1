using System.Text.Json.Nodes;
using TaskFlow.Core.Activities;
using TaskFlow.Core.Graph;
using TaskFlow.Core.Model;
using TaskFlow.Core.Validation;

namespace TaskFlow.Core.Scheduling;

/// <summary>
/// The scheduling rules, as a pure state machine over one instance. The engine feeds it
/// activity results, lets it <see cref="Run"/>, loads whatever node states it asks for, and
/// runs it again until it asks for nothing; then it writes the changed states and the effects
/// (work, journal, children, outcome) in ONE transaction with the instance row.
/// </summary>
/// <remarks>
/// Handlers check that every state they need is loaded before they change anything, so a
/// deferred event can simply be retried after loading. Counters only ever move forward and
/// stale results (wrong attempt, node no longer in flight) are ignored, which is what makes
/// each state transition happen exactly once even when an activity ran twice.
/// </remarks>
public sealed partial class InstanceTransition
{
    private readonly Queue<Event> _queue = new();
    private readonly HashSet<string> _missing = new(StringComparer.Ordinal);
    private bool _finishChecked;

    public InstanceTransition(WorkflowGraph graph, InstanceSnapshot instance, DateTimeOffset now, WorkflowLimits limits, bool statesAreNew = false)
    {
        Graph = graph;
        Instance = instance;
        Now = now;
        Limits = limits;
        StatesAreNew = statesAreNew;
    }

    public WorkflowGraph Graph { get; }

    public InstanceSnapshot Instance { get; }

    public DateTimeOffset Now { get; }

    public WorkflowLimits Limits { get; }

    /// <summary>True for a brand-new instance: no state is stored, so none needs loading.</summary>
    public bool StatesAreNew { get; }

    /// <summary>Node states loaded so far, by node id. Changed ones have <see cref="NodeState.IsDirty"/> set.</summary>
    public Dictionary<string, NodeState> States { get; } = new(StringComparer.Ordinal);

    public List<WorkRequest> Work { get; } = [];

    public List<JournalEntry> Journal { get; } = [];

    /// <summary>Nodes whose queued work (their iterations included) must be removed and whose child instances must be cancelled.</summary>
    public List<string> CancelledNodes { get; } = [];

    public List<ChildStartRequest> Children { get; } = [];

    /// <summary>Event subscriptions of nodes that started waiting in this transition.</summary>
    public List<WaitRequest> Waits { get; } = [];

    /// <summary>Set when the instance finished in this transition.</summary>
    public InstanceOutcome? Finished { get; private set; }

    public void Load(NodeState state) => States[state.NodeId] = state;

    /// <summary>Schedules the start nodes of a new instance.</summary>
    public void Start()
    {
        Journal.Add(new(JournalEventType.InstanceStarted, null, 0, Now));
        foreach (var node in Graph.StartNodes)
        {
            Schedule(node, Require(node.Id)!);
        }
    }

    /// <summary>Records the result of one execution of a node or foreach iteration.</summary>
    public void Apply(string nodeId, int attempt, ActivityResult result) => _queue.Enqueue(new Executed(nodeId, attempt, result));

    /// <summary>
    /// Processes queued events. Returns the ids of node states it needs and that are not loaded;
    /// load them with <see cref="Load"/> and call again. An empty result means the transition is complete.
    /// </summary>
    public IReadOnlyCollection<string> Run()
    {
        _missing.Clear();
        var deferred = new List<Event>();
        while (true)
        {
            while (_queue.Count > 0)
            {
                var next = _queue.Dequeue();
                if (Instance.Status != InstanceStatus.Running)
                {
                    continue;
                }

                if (!Handle(next))
                {
                    deferred.Add(next);
                }
            }

            // A loop goes back once everything its round set off has settled (an exit skipped,
            // say), so that resetting its region undoes all of it.
            if (deferred.Count > 0 || _loopBacks.Count == 0 || Instance.Status != InstanceStatus.Running || !LoopBack(_loopBacks.Peek()))
            {
                break;
            }

            _loopBacks.Dequeue();
        }

        foreach (var waiting in deferred)
        {
            _queue.Enqueue(waiting);
        }

        if (Instance.Status != InstanceStatus.Running)
        {
            _loopBacks.Clear();
        }

        if (_queue.Count == 0 && _loopBacks.Count == 0 && !_finishChecked && Instance.Status == InstanceStatus.Running && Instance.ActiveNodes == 0)
        {
            TryFinish();
        }

        return _missing.ToArray();
    }

    private bool Handle(Event e) => e switch
    {
        Executed x => HandleExecuted(x),
        Arrive a => HandleArrive(a),
        _ => throw new InvalidOperationException($"Unknown event {e}."),
    };

    private NodeState? Require(string nodeId)
    {
        if (States.TryGetValue(nodeId, out var state))
        {
            return state;
        }

        if (StatesAreNew)
        {
            state = new NodeState(nodeId);
            States[nodeId] = state;
            return state;
        }

        _missing.Add(nodeId);
        return null;
    }

    private bool RequireAll(IEnumerable<string> nodeIds)
    {
        var all = true;
        foreach (var id in nodeIds)
        {
            all &= Require(id) is not null;
        }

        return all;
    }

    private void Schedule(GraphNode node, NodeState state)
    {
        if (!state.IsInFlight)
        {
            Instance.ActiveNodes++;
        }

        // Attempts only ever grow, across a loop's rounds too, so that a late result of an earlier
        // round is stale: a node run again by a loop starts after its last attempt.
        state.Status = NodeStatus.Scheduled;
        state.Attempt = AttemptBase(state) + 1;
        state.IsDirty = true;
        Work.Add(new(node.Id, state.Attempt, node.Priority, Now));
        Journal.Add(new(JournalEventType.NodeScheduled, node.Id, state.Attempt, Now));
    }

    private void Finish(NodeState state, NodeStatus status)
    {
        if (state.IsInFlight && !NodeState.TryParseIteration(state.NodeId, out _, out _))
        {
            Instance.ActiveNodes--;
        }

        state.Status = status;
        state.FinishedAt = Now;
        state.IsDirty = true;
    }

    private void FailInstance(string error)
    {
        Instance.Status = InstanceStatus.Failed;
        Instance.Error = error;
        Finished = new InstanceOutcome(InstanceStatus.Failed, null, error);
        Journal.Add(new(JournalEventType.InstanceFailed, null, 0, Now, error));
        _queue.Clear();
    }

    private void TryFinish()
    {
        var needed = Graph.Output is { } template ? template.ReferencedNodeIds.Where(id => Graph.TryGetNode(id, out _)) : Graph.EndNodes.Select(n => n.Id);
        if (!RequireAll(needed))
        {
            return;
        }

        _finishChecked = true;
        JsonNode? output;
        if (Graph.Output is { } outputTemplate)
        {
            try
            {
                var effects = new Scripting.ScriptEffects();
                output = outputTemplate.Render(BuildScope(outputTemplate.ReferencedNodeIds), effects);
                WriteVariables(effects.Variables);
            }
            catch (Templates.TemplateEvaluationException ex)
            {
                FailInstance($"The workflow output could not be computed: {ex.Message}");
                return;
            }
        }
        else
        {
            var result = new JsonObject();
            foreach (var end in Graph.EndNodes)
            {
                if (States[end.Id] is { Status: NodeStatus.Succeeded } s)
                {
                    result[end.Id] = s.Output?.DeepClone();
                }
            }

            output = result;
        }

        Instance.Status = InstanceStatus.Succeeded;
        Instance.Output = output;
        Finished = new InstanceOutcome(InstanceStatus.Succeeded, output, null);
        Journal.Add(new(JournalEventType.InstanceSucceeded, null, 0, Now));
    }

    /// <summary>The template scope: input, vars, and the outputs of the given nodes.</summary>
    /// <param name="self">The node whose outgoing edges are being decided: its new status and output, not yet stored in its state.</param>
    internal JsonObject BuildScope(IEnumerable<string> referencedNodes, JsonNode? output = null, (string Id, NodeStatus Status)? self = null)
    {
        var nodes = new JsonObject();
        foreach (var id in referencedNodes)
        {
            if (self is { } me && me.Id == id)
            {
                nodes[id] = new JsonObject { ["output"] = output?.DeepClone(), ["status"] = me.Status.ToString(), ["error"] = null, ["finishedAt"] = Now.ToString("O", System.Globalization.CultureInfo.InvariantCulture) };
            }
            else if (States.TryGetValue(id, out var s))
            {
                nodes[id] = new JsonObject
                {
                    ["output"] = s.Output?.DeepClone(),
                    ["status"] = s.Status.ToString(),
                    ["error"] = s.Error,
                    ["finishedAt"] = s.FinishedAt?.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
                };
            }
        }

        var scope = new JsonObject
        {
            ["input"] = Instance.Input.DeepClone(),
            ["vars"] = Instance.Variables.DeepClone(),
            ["nodes"] = nodes,
            ["instance"] = new JsonObject { ["id"] = Instance.Id, ["depth"] = Instance.Depth },
        };
        if (output is not null)
        {
            scope["output"] = output.DeepClone();
        }

        return scope;
    }

    private abstract record Event;

    private sealed record Executed(string NodeId, int Attempt, ActivityResult Result) : Event;

    private sealed record Arrive(string NodeId, bool Taken, string From) : Event;
}
