using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Nodes;

namespace TaskFlow.Core.Scripting;

/// <summary>
/// The JSON form of an expression in another language, accepted wherever a template may be a whole
/// value: <c>{ "js": "JavaScript source" }</c>, or a Liquid text template <c>{ "liquid": "..." }</c>.
/// An object with exactly that one string member.
/// </summary>
public static class ScriptObject
{
    /// <summary>The member naming a JavaScript expression.</summary>
    public const string JavaScript = "js";

    /// <summary>Whether <paramref name="node"/> is <c>{ "js": "..." }</c>, and its source.</summary>
    public static bool TryGetJavaScript(JsonNode? node, [NotNullWhen(true)] out string? source)
    {
        source = null;
        return node is JsonObject { Count: 1 } obj
            && obj.TryGetPropertyValue(JavaScript, out var value)
            && value is JsonValue text
            && text.TryGetValue(out source);
    }

    /// <summary>The member naming a Liquid text template.</summary>
    public const string Liquid = "liquid";

    /// <summary>Whether <paramref name="node"/> is <c>{ "liquid": "..." }</c>, and its source.</summary>
    public static bool TryGetLiquid(JsonNode? node, [NotNullWhen(true)] out string? source)
    {
        source = null;
        return node is JsonObject { Count: 1 } obj
            && obj.TryGetPropertyValue(Liquid, out var value)
            && value is JsonValue text
            && text.TryGetValue(out source);
    }

    /// <summary>A JavaScript expression in its JSON form.</summary>
    public static JsonObject FromJavaScript(string source) => new() { [JavaScript] = source };
}
