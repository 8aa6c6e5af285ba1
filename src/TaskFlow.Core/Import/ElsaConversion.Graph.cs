using System.Text.Json.Nodes;
using TaskFlow.Core.Model;
using TaskFlow.Core.Validation;

namespace TaskFlow.Core.Import;

/// <summary>The nodes and edges being built, and the clean-up once every activity is converted.</summary>
internal sealed partial class ElsaConversion
{
    private readonly List<NodeDefinition> _nodes = [];
    private readonly List<EdgeDefinition> _edges = [];
    private readonly Dictionary<(string From, string To), EdgeDefinition> _edgesByPair = new();
    private readonly HashSet<string> _nodeIds = new(StringComparer.Ordinal);

    /// <summary>The Elsa activity each node came from, for messages.</summary>
    private readonly Dictionary<string, (string Id, string? Type)> _origins = new(StringComparer.Ordinal);

    /// <param name="suffix">For a second node made from the same activity, such as a Fork's join: its id is <c>&lt;activityId&gt;.&lt;suffix&gt;</c>.</param>
    private NodeDefinition AddNode(JsonObject activity, string prefix, string type, JsonObject? inputs = null, string? suffix = null)
    {
        var elsaId = ElsaJson.String(activity["id"]) ?? "";
        var elsaType = ElsaJson.String(activity["type"]);
        var id = AllocateId(suffix is null ? prefix + elsaId : $"{prefix}{elsaId}.{suffix}");
        if (suffix is null && ElsaIds.Sanitize(elsaId) != elsaId)
        {
            Note(elsaId, elsaType, $"its id is not a valid TaskFlow node id; the node is '{id}'.");
        }

        var metadata = ElsaJson.Object(activity["metadata"]);
        var name = NonEmpty(metadata?["displayText"]) ?? NonEmpty(activity["name"]);
        var node = new NodeDefinition
        {
            Id = id,
            Type = type,
            Name = suffix is null || name is null ? name : $"{name} ({suffix})",
            Inputs = inputs ?? [],
            Layout = suffix is null ? Layout(metadata) : null,
        };
        _nodes.Add(node);
        _origins[node.Id] = (elsaId, elsaType);
        return node;
    }

    private string AllocateId(string wanted)
    {
        var id = ElsaIds.Sanitize(wanted) ?? "activity";
        if (_nodeIds.Add(id))
        {
            return id;
        }

        var stem = id.Length > ElsaIds.MaxLength - 8 ? id[..(ElsaIds.MaxLength - 8)] : id;
        for (var n = 2; ; n++)
        {
            if (_nodeIds.Add($"{stem}-{n}"))
            {
                return $"{stem}-{n}";
            }
        }
    }

    /// <summary>The designer position, <c>metadata.designer.position</c>, as the node's layout.</summary>
    private static JsonObject? Layout(JsonObject? metadata)
    {
        var position = ElsaJson.Object(ElsaJson.Object(metadata?["designer"])?["position"]);
        if (position?["x"] is not JsonValue x || position["y"] is not JsonValue y)
        {
            return null;
        }

        return new JsonObject { ["x"] = x.DeepClone(), ["y"] = y.DeepClone() };
    }

    private void Connect(IEnumerable<string> froms, IReadOnlyList<string> tos, string? condition = null, string? label = null, string? fromPort = null)
    {
        foreach (var from in froms)
        {
            foreach (var to in tos)
            {
                AddEdge(from, to, condition, label, fromPort);
            }
        }
    }

    private void AddEdge(string from, string to, string? condition, string? label, string? fromPort = null)
    {
        if (fromPort is not null)
        {
            // Another port of the same pair is another edge; TaskFlow allows one per pair and port.
            if (_edgesByPair.ContainsKey((from, to)) || _edges.Exists(e => e.From == from && e.To == to && e.FromPort == fromPort))
            {
                return;
            }

            _edges.Add(new EdgeDefinition { From = from, To = to, FromPort = fromPort, Condition = condition, Label = label });
            return;
        }

        if (!_edgesByPair.TryGetValue((from, to), out var edge))
        {
            edge = new EdgeDefinition { From = from, To = to, Condition = condition, Label = label };
            _edges.Add(edge);
            _edgesByPair[(from, to)] = edge;
            return;
        }

        // TaskFlow keeps one edge per pair of nodes and port. Two Elsa connections between the same
        // pair (a decision's True and False, two fork branches) mean "taken if either is".
        var existing = (string?)edge.Condition;
        edge.Condition = existing is null || condition is null || existing == ElsaConditions.Not(condition) || condition == ElsaConditions.Not(existing) ? null
            : existing == condition ? condition
            : ElsaConditions.Or([existing, condition]);
        edge.Label = edge.Label is null || label is null || edge.Label == label ? edge.Label ?? label : $"{edge.Label}, {label}";
    }

    private void FinishGraph(ElsaFragment root)
    {
        MarkLoops(root.Entries);
        RemoveUnreachable(root.Entries);
        InsertStrictMerges();
        DemoteSingleBranchJoins();
    }

    /// <summary>
    /// Elsa follows a connection back to an earlier activity by running that part of the flowchart
    /// again: each such connection (found depth-first from the start, in document order) becomes a
    /// TaskFlow loop edge, which does the same. Whether the loop's shape can run again is the
    /// validator's to say (a node after the loop joined from outside it cannot).
    /// </summary>
    private void MarkLoops(IReadOnlyList<string> starts)
    {
        var outgoing = _edges.ToLookup(e => e.From, StringComparer.Ordinal);
        var state = new Dictionary<string, bool>(StringComparer.Ordinal); // false: on the path; true: done
        var roots = starts.Concat(_nodes.Select(n => n.Id).Where(id => !_edges.Exists(e => e.To == id))).Concat(_nodes.Select(n => n.Id));
        foreach (var root in roots)
        {
            if (state.ContainsKey(root))
            {
                continue;
            }

            // Iterative depth-first search: (node, index of the next edge to look at).
            var stack = new Stack<(string Node, int Next)>();
            stack.Push((root, 0));
            state[root] = false;
            while (stack.Count > 0)
            {
                var (node, next) = stack.Pop();
                var edges = outgoing[node].ToList();
                if (next >= edges.Count)
                {
                    state[node] = true;
                    continue;
                }

                stack.Push((node, next + 1));
                var edge = edges[next];
                if (!state.TryGetValue(edge.To, out var done))
                {
                    state[edge.To] = false;
                    stack.Push((edge.To, 0));
                }
                else if (!done)
                {
                    edge.Loop = true;
                    var (id, type) = _origins[edge.From];
                    Note(id, type, $"its connection to '{_origins[edge.To].Id}' goes back, so it is a loop edge: taking it runs the activities from '{_origins[edge.To].Id}' on again, at most {Graph.GraphLoop.DefaultMaxIterations} times (maxIterations).");
                }
            }
        }
    }

    /// <summary>
    /// Drops the nodes that no path from a start node reaches any more: those that only followed a
    /// Finish or End, or a fork port that is not one of its branches. Elsa never runs them, but
    /// without inbound edges TaskFlow would start them with the instance.
    /// </summary>
    private void RemoveUnreachable(IReadOnlyList<string> starts)
    {
        var successors = _edges.ToLookup(e => e.From, e => e.To, StringComparer.Ordinal);
        var reached = new HashSet<string>(starts, StringComparer.Ordinal);
        var pending = new Queue<string>(starts);
        while (pending.TryDequeue(out var node))
        {
            foreach (var next in successors[node].Where(reached.Add))
            {
                pending.Enqueue(next);
            }
        }

        var removed = _nodes.Where(n => !reached.Contains(n.Id)).Select(n => n.Id).ToHashSet(StringComparer.Ordinal);
        if (removed.Count == 0)
        {
            return;
        }

        _nodes.RemoveAll(n => removed.Contains(n.Id));
        _edges.RemoveAll(e => removed.Contains(e.From) || removed.Contains(e.To));
        var activities = removed.Select(n => $"'{_origins[n].Id}'").Distinct();
        Note(null, null, $"Activities {string.Join(", ", activities)} were left out: Elsa can never reach them (they only follow a Finish, an End, or a fork port that is not one of its branches).");
    }

    /// <summary>A TaskFlow join needs two inbound edges; with one it is a plain pass-through, which is what a noop is.</summary>
    private void DemoteSingleBranchJoins()
    {
        var inboundCounts = _edges.Where(e => !e.Loop).CountBy(e => e.To, StringComparer.Ordinal).ToDictionary(StringComparer.Ordinal);
        foreach (var join in _nodes.Where(n => n.Type == Join))
        {
            var inbound = inboundCounts.GetValueOrDefault(join.Id);
            if (inbound < 2)
            {
                join.Type = Noop;
                join.Inputs = [];
                var (id, type) = _origins[join.Id];
                Note(id, type, $"node '{join.Id}' joins {inbound} branch{(inbound == 1 ? "" : "es")}; a TaskFlow join needs two, so it is a noop node, which passes a single branch on just the same.");
            }
        }
    }

    /// <summary>
    /// Elsa's merge modes Merge and Converge make an activity with several inbound connections wait for
    /// every one of them; a branch that is never taken blocks it. TaskFlow's implicit merge runs once the
    /// taken ones arrive, so such an activity gets a WaitAll join in front, which is skipped (and the
    /// activity with it) when a branch is not taken: the activity does not run, as in Elsa.
    /// </summary>
    private void InsertStrictMerges()
    {
        foreach (var nodeId in _strictMerges.Where(_nodeIds.Contains).ToList())
        {
            var inbound = _edges.Where(e => e.To == nodeId && !e.Loop).ToList();
            if (inbound.Count < 2)
            {
                continue;
            }

            var (elsaId, elsaType) = _origins[nodeId];
            var join = new NodeDefinition { Id = AllocateId(nodeId + ".merge"), Type = Join, Inputs = new JsonObject { ["mode"] = "WaitAll" } };
            _nodes.Insert(_nodes.FindIndex(n => n.Id == nodeId), join);
            _origins[join.Id] = (elsaId, elsaType);
            foreach (var edge in inbound)
            {
                _edgesByPair.Remove((edge.From, edge.To));
                edge.To = join.Id;
                _edgesByPair[(edge.From, edge.To)] = edge;
            }

            AddEdge(join.Id, nodeId, null, null);
            Note(elsaId, elsaType, $"its merge mode waits for every inbound connection; a WaitAll join '{join.Id}' in front of it skips it when a branch is not taken, where Elsa keeps it waiting.");
        }
    }
}
