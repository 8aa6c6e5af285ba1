using System.Text.Json.Nodes;

namespace TaskFlow.Core.Import;

/// <summary>
/// Elsa outcomes other than Done (an HTTP status code, a switch case, a child workflow's outcome) and
/// activity outputs bound to variables.
/// </summary>
internal sealed partial class ElsaConversion
{
    /// <summary>Marks an output expression of <see cref="BindOutputs"/> as JavaScript (it builds an object, which TaskFlow's expressions cannot).</summary>
    private const string ScriptOutput = "js:";

    /// <summary>Node id → how each of its Elsa ports leaves it in TaskFlow.</summary>
    private readonly Dictionary<string, List<ElsaPortRoute>> _ports = new(StringComparer.Ordinal);

    private void AddPort(string nodeId, string port, string? condition, string? fromPort = null, string? from = null)
    {
        if (!_ports.TryGetValue(nodeId, out var routes))
        {
            _ports[nodeId] = routes = [];
        }

        routes.Add(new ElsaPortRoute(port, from ?? nodeId, fromPort, condition));
    }

    /// <summary>A node's output in a template expression, such as <c>nodes.Http1.output.status</c>.</summary>
    private static string NodeOutput(string nodeId, string? member = null)
    {
        var output = ElsaJson.Path("nodes", nodeId) + ".output";
        return member is null ? output : ElsaJson.Path(output, member);
    }

    /// <summary>
    /// Elsa binds an activity's outputs to variables (<c>"result": { "memoryReference": { "id": "&lt;variable id&gt;" } }</c>)
    /// or to the workflow's outputs (the id is the output's name). Each output bound to a variable becomes a
    /// <c>setVariable</c> node after the activity, reading the node's output; one bound to a workflow output
    /// becomes part of the definition's output.
    /// </summary>
    /// <param name="outputs">Elsa output member → the TaskFlow expression that reads it.</param>
    private ElsaFragment BindOutputs(JsonObject activity, string prefix, ElsaFragment fragment, IEnumerable<(string Member, string Expression)> outputs)
    {
        var exits = fragment.Exits;
        foreach (var (member, written) in outputs)
        {
            // A JavaScript expression is marked so (it reads the same in a script); the others are TaskFlow expressions.
            var script = written.StartsWith(ScriptOutput, StringComparison.Ordinal);
            var expression = script ? written[ScriptOutput.Length..] : written;
            RegisterOutput(activity, member, expression);
            var reference = ElsaJson.String(ElsaJson.Object(ElsaJson.Object(Member(activity, member))?["memoryReference"])?["id"]);
            if (reference is not null && _declaredOutputs.FirstOrDefault(o => string.Equals(o, reference, StringComparison.Ordinal)) is { } workflowOutput)
            {
                // Bound to one of the workflow's outputs, which is a memory block of its own in Elsa.
                SetOutput(workflowOutput, script ? $"{ElsaJson.Path("nodes", fragment.Exits[0])}.output" : expression);
                continue;
            }

            if (reference is null || _names.VariableById(reference) is not { } variable)
            {
                continue;
            }

            _variables.TryAdd(variable, null);
            JsonNode value = script ? new JsonObject { [JavaScriptKey] = expression } : $"{{{{ {expression} }}}}";
            var set = AddNode(activity, prefix, SetVariable,
                new JsonObject { ["name"] = ElsaJson.EscapeTemplate(variable), ["value"] = value }, suffix: "set-" + variable);
            Connect(exits, [set.Id]);
            exits = [set.Id];
        }

        // Ports now leave from the last setVariable node, so that the variables are set before anything
        // follows; only a failure port still leaves from the activity's own node.
        if (fragment.Exits.Count == 1 && exits[0] != fragment.Exits[0] && _ports.Remove(fragment.Exits[0], out var routes))
        {
            _ports[exits[0]] = routes.Select(r => r.FromPort is null ? r with { From = exits[0] } : r).ToList();
        }

        return new ElsaFragment(fragment.Entries, exits);
    }

    /// <summary>An activity member by name in any casing (the document is read case-insensitively).</summary>
    private static JsonNode? Member(JsonObject activity, string name) => activity[name];
}

/// <summary>How an Elsa port leaves a node: from which node, by which TaskFlow port, under which condition.</summary>
internal sealed record ElsaPortRoute(string Port, string From, string? FromPort, string? Condition);
