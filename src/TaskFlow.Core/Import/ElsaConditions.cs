using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace TaskFlow.Core.Import;

/// <summary>
/// Edge conditions while a conversion builds the graph: TaskFlow expressions, or JavaScript ones carried as
/// text behind <see cref="JavaScriptMarker"/> so that both combine (negation, ||, &amp;&amp;) and compare the
/// same way; <see cref="ToJson"/> writes the edge's condition at the end (<c>{ "js": ... }</c> for JavaScript).
/// </summary>
internal static partial class ElsaConditions
{
    // A control character cannot occur in a TaskFlow expression the conversion writes, so it marks JavaScript unambiguously.
    private const string JavaScriptMarker = "\u0001js:";

    /// <summary>A JavaScript condition from Elsa source, which may be a bare expression or statements ending in <c>return</c>.</summary>
    public static string JavaScript(string source) => JavaScriptMarker + AsExpression(source);

    public static bool IsJavaScript(string condition) => condition.StartsWith(JavaScriptMarker, StringComparison.Ordinal);

    public static string Not(string condition) =>
        IsJavaScript(condition) ? $"{JavaScriptMarker}!({Body(condition)})" : $"!({condition})";

    /// <summary>True when any holds; JavaScript when any of them is (the TaskFlow ones the conversion combines are also valid JavaScript: references, literals, comparisons).</summary>
    public static string Or(IReadOnlyList<string> conditions) => Combine(conditions, "||");

    public static string And(IReadOnlyList<string> conditions) => Combine(conditions, "&&");

    /// <summary>The condition as an edge writes it: TaskFlow text, or <c>{ "js": "..." }</c>.</summary>
    public static JsonNode? ToJson(string? condition) =>
        condition is null ? null : IsJavaScript(condition) ? new JsonObject { ["js"] = Body(condition) } : JsonValue.Create(condition);

    private static string Combine(IReadOnlyList<string> conditions, string op)
    {
        if (conditions.Count == 1)
        {
            return conditions[0];
        }

        var javaScript = conditions.Any(IsJavaScript);
        var joined = string.Join($" {op} ", conditions.Select(c => $"({Body(c)})"));
        return javaScript ? JavaScriptMarker + joined : joined;
    }

    private static string Body(string condition) => IsJavaScript(condition) ? condition[JavaScriptMarker.Length..] : condition;

    /// <summary>
    /// <c>return x &gt; 1;</c> is the expression <c>x &gt; 1</c>; a script of several statements runs as a function,
    /// so that it can be negated and combined like an expression.
    /// </summary>
    private static string AsExpression(string source)
    {
        var text = source.Trim().TrimEnd(';').Trim();
        var single = SingleReturn().Match(text);
        if (single.Success)
        {
            text = single.Groups[1].Value.Trim();
        }

        return text.Contains(';') || ReturnKeyword().IsMatch(text) || text.Contains('\n') ? $"(() => {{ {source} }})()" : text;
    }

    [GeneratedRegex(@"^return\b(.*)$", RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex SingleReturn();

    [GeneratedRegex(@"\breturn\b", RegexOptions.CultureInvariant)]
    private static partial Regex ReturnKeyword();
}
