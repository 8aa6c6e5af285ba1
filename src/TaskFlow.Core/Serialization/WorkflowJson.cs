using System.Text.Json;
using System.Text.Json.Serialization;
using TaskFlow.Core.Model;
using TaskFlow.Core.Validation;

namespace TaskFlow.Core.Serialization;

/// <summary>Reads and writes the workflow definition JSON format (see docs/workflow-format.md).</summary>
public static class WorkflowJson
{
    /// <summary>Options for definitions: camelCase, comments and trailing commas allowed, unknown members rejected.</summary>
    public static JsonSerializerOptions Options { get; } = CreateOptions();

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            ReadCommentHandling = JsonCommentHandling.Skip,
            AllowTrailingCommas = true,
            WriteIndented = true,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
            MaxDepth = 128,
        };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    /// <summary>Parses a definition; on failure the problem names the line and column.</summary>
    public static WorkflowDefinition? TryParse(string json, out ValidationProblem? problem)
    {
        problem = null;
        if (string.IsNullOrWhiteSpace(json))
        {
            problem = new ValidationProblem("json.empty", "$", "The document is empty; expected a JSON object with id, nodes and edges.");
            return null;
        }

        try
        {
            var definition = JsonSerializer.Deserialize<WorkflowDefinition>(json, Options);
            if (definition is null)
            {
                problem = new ValidationProblem("json.null", "$", "The document is 'null'; expected a JSON object with id, nodes and edges.");
            }

            return definition;
        }
        catch (JsonException ex)
        {
            problem = new ValidationProblem("json.malformed", ex.Path ?? "$", Describe(ex));
            return null;
        }
    }

    /// <summary>Parses a definition or throws <see cref="WorkflowValidationException"/>.</summary>
    public static WorkflowDefinition Parse(string json) =>
        TryParse(json, out var problem) ?? throw new WorkflowValidationException([problem!]);

    public static string Serialize(WorkflowDefinition definition) => JsonSerializer.Serialize(definition, Options);

    private static string Describe(JsonException ex)
    {
        // JsonException reports 0-based line and byte position; people count from 1.
        var line = (ex.LineNumber ?? 0) + 1;
        var column = (ex.BytePositionInLine ?? 0) + 1;
        var reason = ex.Message;
        var cut = reason.IndexOf(" Path:", StringComparison.Ordinal);
        if (cut > 0)
        {
            reason = reason[..cut];
        }

        return $"Malformed JSON at line {line}, column {column}{(ex.Path is { Length: > 1 } p ? $" ({p})" : "")}: {reason}";
    }
}
