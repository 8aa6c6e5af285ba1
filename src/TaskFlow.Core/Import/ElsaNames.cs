using System.Text.Json.Nodes;

namespace TaskFlow.Core.Import;

/// <summary>The workflow's variables and inputs, which expressions may refer to. Elsa refers to variables by id.</summary>
internal sealed class ElsaNames
{
    private readonly Dictionary<string, string> _variablesById = new(StringComparer.Ordinal);
    private readonly HashSet<string> _variables = new(StringComparer.Ordinal);
    private readonly HashSet<string> _inputs = new(StringComparer.Ordinal);

    public void AddVariable(string? id, string name)
    {
        _variables.Add(name);
        if (!string.IsNullOrEmpty(id))
        {
            _variablesById.TryAdd(id, name);
        }
    }

    public void AddInput(string name) => _inputs.Add(name);

    public bool IsVariable(string name) => _variables.Contains(name);

    public bool IsInput(string name) => _inputs.Contains(name);

    public string? VariableById(string id) => _variablesById.GetValueOrDefault(id);

    /// <summary>
    /// What a generated JavaScript accessor reads: Elsa defines <c>get{Name.Pascalize()}()</c> for each
    /// variable (and input), so <c>getOrderId()</c> reads <c>order_id</c>. Null when no name, or more than one, matches.
    /// </summary>
    public (string Root, string Name)? Accessor(string pascalName)
    {
        var matches = _variables.Where(v => Pascalize(v) == pascalName).Select(v => ("vars", v))
            .Concat(_inputs.Where(i => Pascalize(i) == pascalName).Select(i => ("input", i)))
            .Take(2).ToList();
        return matches.Count == 1 ? matches[0] : null;
    }

    /// <summary>As Humanizer's Pascalize, which Elsa uses: the first letter and each letter after '_' or spaces in upper case, those separators removed.</summary>
    internal static string Pascalize(string name)
    {
        var builder = new System.Text.StringBuilder(name.Length);
        var upper = true;
        foreach (var c in name)
        {
            if (c is '_' or ' ')
            {
                upper = true;
                continue;
            }

            builder.Append(upper ? char.ToUpperInvariant(c) : c);
            upper = false;
        }

        return builder.ToString();
    }

    /// <summary>The variable's name, from a reference such as <c>{"id":"93b1…","name":"total"}</c> or a bare id or name.</summary>
    public string? ResolveVariable(JsonNode? reference)
    {
        if (reference is JsonObject variable)
        {
            var id = ElsaJson.String(variable["id"]);
            return (id is null ? null : VariableById(id)) ?? (ElsaJson.String(variable["name"]) is { Length: > 0 } name ? name : null);
        }

        return ElsaJson.String(reference) is { Length: > 0 } text ? VariableById(text) ?? (IsVariable(text) ? text : null) : null;
    }
}
