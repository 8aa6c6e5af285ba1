using System.Text.Json;
using System.Text.Json.Nodes;
using TaskFlow.Core.Decomposition;

namespace TaskFlow.Engine.Decomposition;

/// <summary>
/// The reference report's task-decomposition-mcp configuration (its Appendix A), read as settings:
/// <c>capabilities.tools.decompose.maxComplexity</c> and <c>strategies</c>,
/// <c>capabilities.tools.aggregate.modes</c>, and <c>capabilities.resources.max_subtasks</c> and
/// <c>max_depth</c>. Named by <c>TaskFlow:Decomposition:TemplateFile</c>.
/// </summary>
public static class TaskDecompositionTemplate
{
    /// <summary>Applies a template to the options, or lists every problem with it.</summary>
    public static IReadOnlyList<string> Apply(string json, TaskDecompositionOptions options)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            return [$"the template is not valid JSON: {ex.Message}"];
        }

        if (root is not JsonObject template)
        {
            return ["the template must be a JSON object"];
        }

        var problems = new List<string>();
        var tools = template["capabilities"]?["tools"];
        var resources = template["capabilities"]?["resources"];
        options.MaxComplexity = Number(tools?["decompose"]?["maxComplexity"], "capabilities.tools.decompose.maxComplexity", 1, 10_000, problems) ?? options.MaxComplexity;
        options.MaxSubtasks = Number(resources?["max_subtasks"], "capabilities.resources.max_subtasks", 1, 100_000, problems) ?? options.MaxSubtasks;
        options.MaxDepth = Number(resources?["max_depth"], "capabilities.resources.max_depth", 0, 100, problems) ?? options.MaxDepth;
        options.Strategies = Names(tools?["decompose"]?["strategies"], "capabilities.tools.decompose.strategies", DecompositionRequest.ParseStrategy, problems) ?? options.Strategies;
        options.AggregationModes = Names<AggregationMode>(tools?["aggregate"]?["modes"], "capabilities.tools.aggregate.modes",
            text => SubtaskAggregation.TryParseMode(text, out var mode) ? mode : (AggregationMode?)null, problems) ?? options.AggregationModes;
        return problems;
    }

    private static int? Number(JsonNode? node, string name, int min, int max, List<string> problems)
    {
        if (node is null)
        {
            return null;
        }

        if (node is JsonValue v && v.TryGetValue<int>(out var value) && value >= min && value <= max)
        {
            return value;
        }

        problems.Add($"{name} is {node.ToJsonString()}; it must be a whole number from {min} to {max}");
        return null;
    }

    private static T[]? Names<T>(JsonNode? node, string name, Func<string, T?> parse, List<string> problems)
        where T : struct
    {
        if (node is null)
        {
            return null;
        }

        if (node is not JsonArray { Count: > 0 } array)
        {
            problems.Add($"{name} must be a list with at least one name");
            return null;
        }

        var values = new List<T>();
        foreach (var item in array)
        {
            if (item is JsonValue v && v.GetValueKind() == JsonValueKind.String && parse(v.GetValue<string>()) is { } parsed)
            {
                values.Add(parsed);
            }
            else
            {
                problems.Add($"{name} has {item?.ToJsonString() ?? "null"}, which is not one of {string.Join(", ", Enum.GetNames(typeof(T)).Select(n => n.ToLowerInvariant()))}");
            }
        }

        return values.Count == array.Count ? [.. values] : null;
    }
}
