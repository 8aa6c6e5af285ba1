using System.Text.Json.Nodes;

namespace TaskFlow.Core.Scripting;

/// <summary>
/// What scripts evaluated for one node, condition or output asked to change in the instance:
/// variables written with <c>setVariable</c>. The caller applies them, like the
/// <c>setVariable</c> activity's result, when the evaluation's owner succeeds.
/// </summary>
public sealed class ScriptEffects
{
    private readonly Dictionary<string, JsonNode?> _variables = new(StringComparer.Ordinal);

    /// <summary>Variables written, by name, each with its last value.</summary>
    public IReadOnlyDictionary<string, JsonNode?> Variables => _variables;

    public bool IsEmpty => _variables.Count == 0;

    internal void SetVariable(string name, JsonNode? value) => _variables[name] = value;

    /// <summary>The written variables as one object, or null when nothing was written.</summary>
    public JsonObject? VariablesObject()
    {
        if (_variables.Count == 0)
        {
            return null;
        }

        var result = new JsonObject();
        foreach (var (name, value) in _variables)
        {
            result[name] = value?.DeepClone();
        }

        return result;
    }
}
