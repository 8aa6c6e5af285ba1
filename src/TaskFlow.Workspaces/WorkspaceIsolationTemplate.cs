using System.Text.Json;
using System.Text.Json.Nodes;

namespace TaskFlow.Workspaces;

/// <summary>
/// The reference report's workspace-isolation-mcp configuration (its Appendix A), read as
/// settings: <c>capabilities.resources.max_workspaces</c> and <c>workspace_timeout</c> (seconds),
/// the isolation and cleanup modes the tools offer, and <c>security.network_isolation</c>.
/// Named by <c>TaskFlow:Workspaces:TemplateFile</c>; what it sets wins over the section's values.
/// </summary>
public static class WorkspaceIsolationTemplate
{
    /// <summary>Applies a template to the options, or lists every problem with it.</summary>
    public static IReadOnlyList<string> Apply(string json, WorkspaceOptions options)
    {
        var problems = new List<string>();
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

        var resources = template["capabilities"]?["resources"];
        if (Number(resources?["max_workspaces"], "capabilities.resources.max_workspaces", 1, 10_000, problems) is { } max)
        {
            options.MaxWorkspaces = (int)max;
        }

        if (Number(resources?["workspace_timeout"], "capabilities.resources.workspace_timeout", 1, 31_536_000, problems) is { } seconds)
        {
            options.WorkspaceTimeout = TimeSpan.FromSeconds(seconds);
        }

        var tools = template["capabilities"]?["tools"];
        if (Modes<IsolationMode>(tools?["create_workspace"]?["isolation_modes"], "capabilities.tools.create_workspace.isolation_modes", problems) is { } isolation)
        {
            options.AllowedIsolation = isolation;
            // Auto chooses among the offered modes when a workspace is created.
            if (options.DefaultIsolation != IsolationMode.Auto && !isolation.Contains(options.DefaultIsolation))
            {
                options.DefaultIsolation = isolation[0];
            }
        }

        if (Modes<CleanupMode>(tools?["destroy_workspace"]?["cleanup_modes"], "capabilities.tools.destroy_workspace.cleanup_modes", problems) is { } cleanup)
        {
            options.AllowedCleanup = cleanup;
            if (!cleanup.Contains(options.Cleanup))
            {
                options.Cleanup = cleanup[0];
            }
        }

        var security = template["security"];
        if (Flag(security?["network_isolation"], "security.network_isolation", problems) is { } networkIsolation)
        {
            options.AllowNetwork = !networkIsolation;
        }

        // Isolation of files and processes is what a workspace is: it cannot be switched off.
        foreach (var name in new[] { "filesystem_isolation", "process_isolation" })
        {
            if (Flag(security?[name], $"security.{name}", problems) is false)
            {
                problems.Add($"security.{name} is false, but workspaces always isolate files and processes");
            }
        }

        return problems;
    }

    private static double? Number(JsonNode? node, string path, double min, double max, List<string> problems)
    {
        if (node is null)
        {
            return null;
        }

        if (node is JsonValue value && value.TryGetValue<double>(out var number) && number >= min && number <= max && number == Math.Floor(number))
        {
            return number;
        }

        problems.Add($"{path} is {node.ToJsonString()}; give a whole number from {min} to {max}");
        return null;
    }

    private static bool? Flag(JsonNode? node, string path, List<string> problems)
    {
        if (node is null)
        {
            return null;
        }

        if (node is JsonValue value && value.TryGetValue<bool>(out var flag))
        {
            return flag;
        }

        problems.Add($"{path} is {node.ToJsonString()}; give true or false");
        return null;
    }

    private static List<T>? Modes<T>(JsonNode? node, string path, List<string> problems)
        where T : struct, Enum
    {
        if (node is null)
        {
            return null;
        }

        var names = string.Join(", ", Enum.GetNames<T>().Select(n => n.ToLowerInvariant()));
        if (node is not JsonArray array || array.Count == 0)
        {
            problems.Add($"{path} must be a non-empty list of {names}");
            return null;
        }

        var modes = new List<T>();
        foreach (var item in array)
        {
            if (item is JsonValue value && value.TryGetValue<string>(out var text) && Enum.TryParse<T>(text, ignoreCase: true, out var mode) && Enum.IsDefined(mode))
            {
                modes.Add(mode);
            }
            else
            {
                problems.Add($"{path} has {item?.ToJsonString() ?? "null"}; use {names}");
            }
        }

        return modes.Count == array.Count ? modes : null;
    }
}
