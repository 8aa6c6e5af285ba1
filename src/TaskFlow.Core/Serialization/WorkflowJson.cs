using System.Text;
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
                return null;
            }

            var nulls = NullMembers.Find(definition);
            if (nulls.Count > 0)
            {
                problem = new ValidationProblem("json.null-member", nulls[0],
                    $"{string.Join(", ", nulls)} {(nulls.Count == 1 ? "is" : "are")} null, which a definition does not allow there; give {(nulls.Count == 1 ? "it a value" : "them values")} or remove {(nulls.Count == 1 ? "it" : "them")}.");
                return null;
            }

            return definition;
        }
        catch (JsonException ex)
        {
            problem = new ValidationProblem("json.malformed", ex.Path ?? "$", Describe(ex, json));
            return null;
        }
    }

    /// <summary>Parses a definition or throws <see cref="WorkflowValidationException"/>.</summary>
    public static WorkflowDefinition Parse(string json) =>
        TryParse(json, out var problem) ?? throw new WorkflowValidationException([problem!]);

    public static string Serialize(WorkflowDefinition definition) => JsonSerializer.Serialize(definition, Options);

    private static string Describe(JsonException ex, string json)
    {
        var (line, column) = Locate(ex, json);
        var reason = ex.Message;
        var cut = reason.IndexOf(" Path:", StringComparison.Ordinal);
        if (cut > 0)
        {
            reason = reason[..cut];
        }

        return $"Malformed JSON at line {line}, column {column}{(ex.Path is { Length: > 1 } p ? $" ({p})" : "")}: {reason}";
    }

    /// <summary>The 1-based line and column, in characters, where a person looking at the text finds the problem.</summary>
    private static (long Line, long Column) Locate(JsonException ex, string json)
    {
        // JsonException reports a 0-based line and a 0-based BYTE position in that line; people
        // count lines and characters from 1, and 'é' is one character but two UTF-8 bytes.
        var line = ex.LineNumber ?? 0;
        var bytePosition = ex.BytePositionInLine ?? 0;
        var utf8 = Encoding.UTF8.GetBytes(json);
        var lineStart = 0;
        for (var seen = 0L; seen < line && lineStart < utf8.Length; lineStart++)
        {
            if (utf8[lineStart] == (byte)'\n')
            {
                seen++;
            }
        }

        var offset = (int)Math.Min(utf8.Length, lineStart + bytePosition);

        // A reader error points at the offending character. A serializer error (wrong type, unknown
        // member) is raised after its token was read and points just past it: point at its start.
        if (ex.InnerException is not JsonException && TokenEndingAt(utf8, offset) is { } tokenStart && tokenStart >= lineStart)
        {
            offset = tokenStart;
        }

        return (line + 1, Encoding.UTF8.GetCharCount(utf8, lineStart, offset - lineStart) + 1);
    }

    private static int? TokenEndingAt(byte[] utf8, int offset)
    {
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, MaxDepth = Options.MaxDepth });
        try
        {
            while (reader.BytesConsumed < offset && reader.Read())
            {
                if (reader.BytesConsumed == offset)
                {
                    return (int)reader.TokenStartIndex;
                }
            }
        }
        catch (JsonException)
        {
            // The text after the error does not matter; fall back to the reported position.
        }

        return null;
    }
}
