using System.Text.Json;
using System.Text.Json.Nodes;

namespace TaskFlow.Core.Import;

/// <summary>Reads Elsa JSON without throwing on values of an unexpected kind.</summary>
internal static class ElsaJson
{
    public static string? String(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;

    public static JsonArray? Array(JsonNode? node) => node as JsonArray;

    public static JsonObject? Object(JsonNode? node) => node as JsonObject;

    public static bool? Boolean(JsonNode? node) => node?.GetValueKind() switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.String when bool.TryParse(node.GetValue<string>(), out var parsed) => parsed,
        _ => null,
    };

    /// <summary>Whether <paramref name="name"/> can follow a dot in a TaskFlow path, such as <c>vars.name</c>.</summary>
    public static bool IsIdentifier(string name) =>
        name.Length > 0 && (char.IsAsciiLetter(name[0]) || name[0] == '_') && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    /// <summary>A TaskFlow string literal, single-quoted.</summary>
    public static string Quote(string text)
    {
        var builder = new System.Text.StringBuilder(text.Length + 2).Append('\'');
        foreach (var c in text)
        {
            builder.Append(c switch
            {
                '\\' => "\\\\",
                '\'' => "\\'",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ when char.IsControl(c) => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        }

        return builder.Append('\'').ToString();
    }

    /// <summary>A TaskFlow path from a root such as <c>vars</c>, with brackets for names that are not identifiers.</summary>
    public static string Path(string root, string name) => IsIdentifier(name) ? $"{root}.{name}" : $"{root}[{Quote(name)}]";

    /// <summary>
    /// Literal text for a node input. Every input string is a template, so a literal <c>{{</c> would start a
    /// placeholder; it is written as <c>{{ '{{' }}</c>, which renders back to <c>{{</c>.
    /// </summary>
    public static string EscapeTemplate(string text) =>
        text.Contains("{{", StringComparison.Ordinal) ? text.Replace("{{", "{{ '{{' }}", StringComparison.Ordinal) : text;

    /// <summary>A copy of <paramref name="node"/> with every string escaped by <see cref="EscapeTemplate"/>.</summary>
    public static JsonNode? EscapeTemplates(JsonNode? node) => node switch
    {
        JsonObject obj => new JsonObject(obj.Select(p => KeyValuePair.Create(p.Key, EscapeTemplates(p.Value)))),
        JsonArray array => new JsonArray(array.Select(EscapeTemplates).ToArray()),
        JsonValue value when String(value) is { } text => JsonValue.Create(EscapeTemplate(text)),
        _ => node?.DeepClone(),
    };
}
