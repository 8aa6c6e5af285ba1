using System.Text.Json.Nodes;
using TaskFlow.Core.Templates.Evaluation;

namespace TaskFlow.Core.Templates;

/// <summary>
/// The one definition of "true enough" used by conditions, <c>!</c>, <c>&amp;&amp;</c>, <c>||</c> and <c>?:</c>:
/// <c>null</c>, <c>false</c>, <c>0</c>, <c>""</c> and <c>[]</c> are falsy; everything else, including <c>{}</c>, is truthy.
/// </summary>
public static class Truthiness
{
    /// <summary>Whether <paramref name="value"/> counts as true.</summary>
    public static bool IsTruthy(JsonNode? value) => Value.FromNode(value).IsTruthy;
}
