using System.Text.Json.Nodes;

namespace TaskFlow.Core.Import;

/// <summary>
/// Activities a project defines in its own code, under <see cref="ElsaCustomActivities.Task"/>: each
/// becomes an agent task that the project's service claims and completes.
/// </summary>
internal sealed partial class ElsaConversion
{
    /// <summary>Members of an activity that are not its inputs or outputs.</summary>
    private static readonly HashSet<string> ActivityMembers = new(
        ["id", "type", "version", "name", "displayName", "description", "customProperties", "metadata", "nodeId", "canStartWorkflow", "runAsynchronously", "source", "line", "applicationProperties"],
        StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// The exit node of each custom activity (its node, or the last node that stores its outputs) →
    /// its node: any port leaves the exit, chosen by the outcome the service reported to the node.
    /// </summary>
    private readonly Dictionary<string, string> _customExits = new(StringComparer.Ordinal);

    /// <summary>A type a project defines: namespaced, outside Elsa's own (an unqualified name is a workflow that is missing).</summary>
    private static bool IsCustomType(string? type) =>
        type is not null && type.Contains('.', StringComparison.Ordinal) && !type.StartsWith("Elsa.", StringComparison.Ordinal);

    private ElsaFragment? ConvertCustomActivity(JsonObject activity, string id, string type, string prefix)
    {
        var input = new JsonObject();
        var outputMembers = new List<string>();
        foreach (var (member, value) in activity)
        {
            if (ActivityMembers.Contains(member) || value is not JsonObject shape)
            {
                continue;
            }

            if (shape.ContainsKey("expression"))
            {
                if (!RequireValue(Property(activity, member), ValueShape.Any, id, type, member, out var converted))
                {
                    return null;
                }

                input[member] = converted;
            }
            else if (shape.ContainsKey("memoryReference"))
            {
                // An output the activity writes to a variable or a workflow output: read from the task's output.
                outputMembers.Add(member);
            }
        }

        var title = NonEmpty(activity["name"]) ?? type;
        var node = AddNode(activity, prefix, AgentActivity, new JsonObject
        {
            ["title"] = ElsaJson.EscapeTemplate(title),
            ["capability"] = ElsaJson.EscapeTemplate(type),
            ["input"] = input,
        });
        Note(id, type,
            $"'{type}' is an activity your project defines in code: it is an agent task of capability '{type}', with the activity's inputs as its input, " +
            $"for your own service to claim and complete (GET /api/agent-tasks?capability={Uri.EscapeDataString(type)}); the outcome the service reports " +
            $"(outcome in its output, {DonePort} without one) is the port it leaves by.");
        var fragment = BindOutputs(activity, prefix, ElsaFragment.Single(node.Id), outputMembers.Select(m => (m, NodeOutput(node.Id, m))));
        foreach (var exit in fragment.Exits)
        {
            _customExits[exit] = node.Id;
        }

        return fragment;
    }

    /// <summary>The condition under which a custom activity's node leaves by <paramref name="port"/>: the outcome its service reported.</summary>
    private static string CustomPortCondition(string nodeId, string port) =>
        $"({NodeOutput(nodeId, "outcome")} ?? {ElsaJson.Quote(DonePort)}) == {ElsaJson.Quote(port)}";
}
