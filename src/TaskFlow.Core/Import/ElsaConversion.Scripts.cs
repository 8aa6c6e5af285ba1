using System.Text.Json.Nodes;

namespace TaskFlow.Core.Import;

/// <summary>JavaScript kept as written, with Elsa's generated accessor functions renamed (see <see cref="ElsaScriptAccessors"/>).</summary>
internal sealed partial class ElsaConversion
{
    /// <summary>(activity name, output name), both Pascal-cased as Elsa names accessors → the expression reading that output.</summary>
    private readonly Dictionary<(string Activity, string Output), string> _activityOutputs = new();

    private void RegisterOutput(JsonObject activity, string member, string expression)
    {
        if (NonEmpty(activity["name"]) is { } name)
        {
            _activityOutputs.TryAdd((ElsaNames.Pascalize(name), ElsaNames.Pascalize(member)), expression);
        }
    }

    /// <summary>Renames the accessors in every JavaScript expression of the converted definition, once all activities are known.</summary>
    private void RewriteAllScripts(JsonObject? output)
    {
        foreach (var node in _nodes)
        {
            RewriteScript(node.Inputs);
            if (node.Type == JavaScriptActivity && ElsaJson.String(node.Inputs["script"]) is { } script)
            {
                node.Inputs["script"] = ElsaScriptAccessors.Rewrite(script, ResolveAccessor);
            }
        }

        foreach (var edge in _edges)
        {
            edge.Condition = RewriteScript(ElsaConditions.ToJson((string?)edge.Condition));
        }

        RewriteScript(output);
    }

    private JsonNode? RewriteScript(JsonNode? value)
    {
        switch (value)
        {
            case JsonObject script when script.Count == 1 && ElsaJson.String(script[JavaScriptKey]) is { } source:
                script[JavaScriptKey] = ElsaScriptAccessors.Rewrite(source, ResolveAccessor);
                break;
            case JsonObject obj:
                foreach (var (_, child) in obj.ToList())
                {
                    RewriteScript(child);
                }

                break;
            case JsonArray array:
                foreach (var child in array)
                {
                    RewriteScript(child);
                }

                break;
        }

        return value;
    }

    private string? ResolveAccessor(string accessor)
    {
        var set = accessor.StartsWith("Set:", StringComparison.Ordinal);
        var name = accessor[4..];
        if (!set && name == "CurrentValue")
        {
            return LoopBody ? $"getInput({ElsaJson.Quote(LoopItemInput)})" : "item";
        }

        if (_names.Accessor(name) is var (root, variable))
        {
            return set
                ? root == "vars" ? $"setVariable({ElsaJson.Quote(variable)}, " : null
                : root == "vars" ? $"getVariable({ElsaJson.Quote(variable)})" : $"getInput({ElsaJson.Quote(variable)})";
        }

        if (set)
        {
            return null;
        }

        for (var at = name.IndexOf("From", StringComparison.Ordinal); at > 0; at = name.IndexOf("From", at + 1, StringComparison.Ordinal))
        {
            if (_activityOutputs.TryGetValue((name[(at + 4)..], name[..at]), out var expression))
            {
                return expression;
            }
        }

        return null;
    }
}
