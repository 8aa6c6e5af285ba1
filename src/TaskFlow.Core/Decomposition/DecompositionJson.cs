using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using TaskFlow.Core.Serialization;

namespace TaskFlow.Core.Decomposition;

/// <summary>How a decomposition is shown to callers: the same JSON and outline from the REST API, the MCP tools and the hooks.</summary>
public static class DecompositionJson
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary><c>{ strategy, root, subtasks, definitions }</c>; the definitions children first, the root last.</summary>
    public static JsonObject Describe(DecompositionResult result)
    {
        var root = result.EnsureSucceeded();
        return new JsonObject
        {
            ["strategy"] = result.Strategy.ToString().ToLowerInvariant(),
            ["root"] = root.Id,
            ["reason"] = result.Reason,
            ["subtasks"] = JsonSerializer.SerializeToNode(result.Subtasks, Json),
            ["definitions"] = new JsonArray(result.Definitions.Select(d => JsonNode.Parse(WorkflowJson.Serialize(d))).ToArray()),
        };
    }

    /// <summary>A few lines for a person or a model: the workflow, then one line per subtask with its dependencies.</summary>
    public static string Outline(DecompositionResult result)
    {
        var root = result.EnsureSucceeded();
        var text = new StringBuilder()
            .Append("Workflow ").Append(root.Id).Append(" (").Append(result.Strategy.ToString().ToLowerInvariant()).Append(", ")
            .Append(result.Subtasks.Count).Append(result.Subtasks.Count == 1 ? " subtask" : " subtasks");
        if (result.Definitions.Count > 1)
        {
            text.Append(", ").Append(result.Definitions.Count - 1).Append(result.Definitions.Count == 2 ? " child workflow" : " child workflows");
        }

        text.Append("):");
        var number = 0;
        foreach (var subtask in result.Subtasks)
        {
            text.AppendLine().Append(++number).Append(". [").Append(subtask.Id).Append("] ").Append(TemplateText.Label(subtask.Description) ?? subtask.Id);
            if (subtask.Dependencies.Count > 0)
            {
                text.Append(" (after ").Append(string.Join(", ", subtask.Dependencies)).Append(')');
            }
        }

        return text.ToString();
    }
}
