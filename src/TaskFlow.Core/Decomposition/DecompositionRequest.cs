using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace TaskFlow.Core.Decomposition;

/// <summary>
/// A decomposition asked for in JSON, as the REST API, the MCP <c>decompose</c> and <c>run</c> tools
/// and the hooks receive it: <c>{ "task": { id?, description, complexity, subtasks }, "strategy",
/// "aggregation" }</c>. Only the task is required; without an id it gets one from its description.
/// </summary>
public sealed record DecompositionRequest
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
        AllowTrailingCommas = true,
    };

    public required DecompositionTask Task { get; init; }

    /// <summary>Null: the server's default (auto).</summary>
    public DecompositionStrategy? Strategy { get; init; }

    /// <summary>Null: sequential for a sequential graph, parallel otherwise.</summary>
    public AggregationMode? Aggregation { get; init; }

    /// <summary>Reads a request; every problem is named in <paramref name="problems"/>, and the result is then null.</summary>
    public static DecompositionRequest? Parse(JsonNode? json, out IReadOnlyList<string> problems)
    {
        var found = new List<string>();
        problems = found;
        if (json is not JsonObject request)
        {
            found.Add(json is null ? "The request is empty; send { \"task\": { \"description\": \"...\" } }." : "The request must be a JSON object: { \"task\": { ... }, \"strategy\": \"auto\" }.");
            return null;
        }

        foreach (var (name, _) in request)
        {
            if (name is not ("task" or "strategy" or "aggregation"))
            {
                found.Add($"'{name}' is not a field of a decomposition request; it has task, strategy and aggregation.");
            }
        }

        var strategy = ParseStrategy(request["strategy"], found);
        AggregationMode? aggregation = null;
        if (request["aggregation"] is JsonNode mode)
        {
            if (mode is JsonValue v && v.GetValueKind() == JsonValueKind.String && SubtaskAggregation.TryParseMode(v.GetValue<string>(), out var parsed))
            {
                aggregation = parsed;
            }
            else
            {
                found.Add($"aggregation is {mode.ToJsonString()}, which is not a mode; use {string.Join(", ", AggregateActivityDescriptor.Modes)}.");
            }
        }

        var task = ParseTask(request["task"], found);
        return found.Count > 0 || task is null ? null : new DecompositionRequest { Task = task, Strategy = strategy, Aggregation = aggregation };
    }

    /// <summary>Reads a strategy name (any case); null when <paramref name="text"/> names none.</summary>
    public static DecompositionStrategy? ParseStrategy(string? text) =>
        Enum.TryParse<DecompositionStrategy>(text?.Trim(), ignoreCase: true, out var strategy) && Enum.IsDefined(strategy) && !int.TryParse(text, out _) ? strategy : null;

    /// <summary>
    /// An id for a task that has none: up to five words of its description in lower case, joined
    /// by '-', and six hex digits of a hash of the description, so that the same text gets the same id.
    /// </summary>
    public static string IdFor(string description) => IdFor(description, description);

    /// <summary>
    /// An id of up to five words of <paramref name="wordsFrom"/> and six hex digits of a hash of
    /// <paramref name="hashOf"/>. The hash is FNV-1a: an id needs no secrecy, and a hook process
    /// should not pay for loading the platform's crypto library.
    /// </summary>
    public static string IdFor(string wordsFrom, string hashOf)
    {
        ArgumentNullException.ThrowIfNull(wordsFrom);
        ArgumentNullException.ThrowIfNull(hashOf);
        var words = new StringBuilder();
        var count = 0;
        foreach (var word in wordsFrom.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            var clean = new string(word.Where(char.IsAsciiLetterOrDigit).Select(char.ToLowerInvariant).ToArray());
            if (clean.Length == 0)
            {
                continue;
            }

            if (words.Length + clean.Length + 1 > 40 || count == 5)
            {
                break;
            }

            words.Append(clean).Append('-');
            count++;
        }

        var hash = 14695981039346656037UL;
        foreach (var c in hashOf)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        var hex = (hash & 0xFFFFFF).ToString("x6", System.Globalization.CultureInfo.InvariantCulture);
        return words.Length == 0 ? "task-" + hex : words.Append(hex).ToString();
    }

    private static DecompositionStrategy? ParseStrategy(JsonNode? node, List<string> problems)
    {
        if (node is null)
        {
            return null;
        }

        if (node is JsonValue v && v.GetValueKind() == JsonValueKind.String && ParseStrategy(v.GetValue<string>()) is { } strategy)
        {
            return strategy;
        }

        problems.Add($"strategy is {node.ToJsonString()}, which is not a strategy; use auto, parallel, hierarchical, recursive or sequential.");
        return null;
    }

    private static DecompositionTask? ParseTask(JsonNode? node, List<string> problems)
    {
        if (node is not JsonObject task)
        {
            problems.Add(node is null
                ? "task is missing; send { \"task\": { \"description\": \"...\" } }."
                : "task must be an object: { id?, description, complexity?, subtasks? }.");
            return null;
        }

        if (UnknownMembers(task) is { Count: > 0 } unknown)
        {
            problems.AddRange(unknown);
            return null;
        }

        var id = task["id"];
        if (id is null || (id is JsonValue idValue && idValue.GetValueKind() == JsonValueKind.String && string.IsNullOrWhiteSpace(idValue.GetValue<string>())))
        {
            task = (JsonObject)task.DeepClone();
            var description = task["description"] is JsonValue d && d.GetValueKind() == JsonValueKind.String ? d.GetValue<string>() : "";
            task["id"] = IdFor(description);
        }

        try
        {
            return task.Deserialize<DecompositionTask>(Json);
        }
        catch (JsonException ex)
        {
            problems.Add("task: " + Describe(ex));
            return null;
        }
    }

    /// <summary>Every member of the task and its subtasks that is not one of theirs, so that one answer names them all.</summary>
    private static List<string> UnknownMembers(JsonObject task)
    {
        var found = new List<string>();
        foreach (var (name, _) in task)
        {
            if (!TaskMembers.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                found.Add($"task.{name} is not a member of a task; it has {string.Join(", ", TaskMembers)}.");
            }
        }

        if (task["subtasks"] is JsonArray subtasks)
        {
            for (var i = 0; i < subtasks.Count; i++)
            {
                if (subtasks[i] is not JsonObject subtask)
                {
                    continue;
                }

                foreach (var (name, _) in subtask)
                {
                    if (!SubtaskMembers.Contains(name, StringComparer.OrdinalIgnoreCase))
                    {
                        var label = subtask["id"] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? $" ('{v.GetValue<string>()}')" : "";
                        found.Add($"task.subtasks[{i}]{label}.{name} is not a member of a subtask; it has {string.Join(", ", SubtaskMembers)}.");
                    }
                }
            }
        }

        return found;
    }

    private static readonly string[] TaskMembers = ["id", "description", "complexity", "subtasks", "workspace"];

    private static readonly string[] SubtaskMembers =
        ["id", "description", "complexity", "dependencies", "weight", "toolHints", "group", "command", "script", "tool", "arguments", "workflow", "workspace", "tier"];

    private static string Describe(JsonException ex)
    {
        // The serializer's message ends with its own path and position; keep the message and name the path plainly.
        var message = ex.Message;
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        if (cut > 0)
        {
            message = message[..cut];
        }

        return ex.Path is { Length: > 1 } path ? $"{message} (at {path})" : message;
    }
}
