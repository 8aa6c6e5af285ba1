using System.Collections.Frozen;
using TaskFlow.Core.Model;
using TaskFlow.Core.Templates;

namespace TaskFlow.Core.Graph;

/// <summary>
/// A validated definition compiled for execution. Immutable and shared: the engine caches one per
/// (id, version), since stored versions never change.
/// </summary>
public sealed class WorkflowGraph
{
    private readonly FrozenDictionary<string, GraphNode> _nodes;
    private readonly Dictionary<string, FrozenSet<string>> _ancestors = new(StringComparer.Ordinal);

    private WorkflowGraph(WorkflowDefinition definition, FrozenDictionary<string, GraphNode> nodes, TemplatedJson? output)
    {
        Definition = definition;
        _nodes = nodes;
        Output = output;
        StartNodes = definition.Nodes.Select(n => nodes[n.Id]).Where(n => n.Inbound.Count == 0).ToArray();
        EndNodes = definition.Nodes.Select(n => nodes[n.Id]).Where(n => !n.Outgoing.Exists(o => !o.IsLoop)).ToArray();
        foreach (var edge in nodes.Values.SelectMany(n => n.Outgoing).Where(e => e.IsLoop))
        {
            edge.Loop = CompileLoop(edge);
            foreach (var id in edge.Loop.Region)
            {
                nodes[id].InLoop = true;
            }
        }

        HasLoops = nodes.Values.Any(n => n.InLoop);
    }

    /// <summary>True when some edge is a loop edge.</summary>
    public bool HasLoops { get; }

    public WorkflowDefinition Definition { get; }

    public string Id => Definition.Id;

    public int Version => Definition.Version;

    public IReadOnlyList<GraphNode> StartNodes { get; }

    public IReadOnlyList<GraphNode> EndNodes { get; }

    public IEnumerable<GraphNode> Nodes => _nodes.Values;

    /// <summary>The instance output template, when the definition declares one.</summary>
    public TemplatedJson? Output { get; }

    public GraphNode this[string id] => _nodes[id];

    public bool TryGetNode(string id, out GraphNode node) => _nodes.TryGetValue(id, out node!);

    /// <summary>Compiles a definition that has passed validation.</summary>
    public static WorkflowGraph Compile(WorkflowDefinition definition)
    {
        var nodes = definition.Nodes.ToDictionary(n => n.Id, CompileNode, StringComparer.Ordinal);
        foreach (var edge in definition.Edges)
        {
            var compiled = new GraphEdge(edge, edge.Condition is null ? null : TemplateExpression.FromJson(edge.Condition));
            nodes[edge.From].Outgoing.Add(compiled);
            if (!edge.Loop)
            {
                nodes[edge.To].Inbound.Add(compiled);
            }
        }

        var output = definition.Output is null ? null : TemplatedJson.Compile(definition.Output);
        return new WorkflowGraph(definition, nodes.ToFrozenDictionary(StringComparer.Ordinal), output);
    }

    private static GraphNode CompileNode(NodeDefinition node)
    {
        var body = node.Type == Activities.BuiltInActivities.ForEach ? node.Inputs["body"] as System.Text.Json.Nodes.JsonObject : null;
        var bodyType = body?["type"]?.GetValue<string>();
        return new GraphNode(node, TemplatedJson.Compile(Scripting.JavaScriptActivityInputs.Normalize(node.Type, ExecutableInputs(node))))
        {
            BodyType = bodyType,
            BodyInputs = body is null ? null : TemplatedJson.Compile(Scripting.JavaScriptActivityInputs.Normalize(bodyType, body["inputs"] as System.Text.Json.Nodes.JsonObject ?? [])),
        };
    }

    /// <summary>
    /// The inputs rendered when the node itself executes. A foreach's body is rendered per
    /// item instead (its templates see <c>item</c> and <c>index</c>), so it is left out here.
    /// </summary>
    private static System.Text.Json.Nodes.JsonObject ExecutableInputs(Model.NodeDefinition node)
    {
        if (node.Type != Activities.BuiltInActivities.ForEach || !node.Inputs.ContainsKey("body"))
        {
            return node.Inputs;
        }

        var inputs = (System.Text.Json.Nodes.JsonObject)node.Inputs.DeepClone();
        inputs.Remove("body");
        return inputs;
    }

    /// <summary>The body (target to source) and region (the body and all after it) of a loop edge, loop edges left out.</summary>
    private GraphLoop CompileLoop(GraphEdge edge)
    {
        var before = Ancestors(edge.From);
        var after = Descendants(edge.To);
        var body = after.Where(id => id == edge.From || before.Contains(id)).Append(edge.To).Append(edge.From).ToFrozenSet(StringComparer.Ordinal);
        var region = new HashSet<string>(body, StringComparer.Ordinal);
        foreach (var id in body)
        {
            region.UnionWith(Descendants(id));
        }

        return new GraphLoop(edge, body, region.ToFrozenSet(StringComparer.Ordinal));
    }

    /// <summary>Every node reachable from <paramref name="nodeId"/> by edges that are not loop edges.</summary>
    public HashSet<string> Descendants(string nodeId)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        stack.Push(nodeId);
        while (stack.Count > 0)
        {
            foreach (var edge in _nodes[stack.Pop()].Outgoing)
            {
                if (!edge.IsLoop && seen.Add(edge.To))
                {
                    stack.Push(edge.To);
                }
            }
        }

        return seen;
    }

    /// <summary>Every node from which <paramref name="nodeId"/> can be reached. Computed once per node.</summary>
    public FrozenSet<string> Ancestors(string nodeId)
    {
        lock (_ancestors)
        {
            if (_ancestors.TryGetValue(nodeId, out var cached))
            {
                return cached;
            }
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        stack.Push(nodeId);
        while (stack.Count > 0)
        {
            foreach (var edge in _nodes[stack.Pop()].Inbound)
            {
                if (seen.Add(edge.From))
                {
                    stack.Push(edge.From);
                }
            }
        }

        var result = seen.ToFrozenSet(StringComparer.Ordinal);
        lock (_ancestors)
        {
            _ancestors[nodeId] = result;
        }

        return result;
    }
}
