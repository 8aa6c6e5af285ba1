using System.Text.Json.Nodes;

namespace TaskFlow.Core.Import;

/// <summary>
/// Workflows used as activities, and the workflow's own outputs and outcomes (SetOutput, Complete),
/// which are what a parent reads of it.
/// </summary>
internal sealed partial class ElsaConversion
{
    /// <summary>The member of a converted workflow's output that carries the outcomes of its Complete activity.</summary>
    internal const string OutcomesOutput = "outcomes";

    /// <summary>Output name → the expressions that set it (a SetOutput node's output, an activity output bound to it), in document order.</summary>
    private readonly Dictionary<string, List<string>> _outputs = new(StringComparer.Ordinal);

    /// <summary>Complete nodes and the outcomes each one ends the workflow with.</summary>
    private readonly List<(string NodeId, List<string> Outcomes)> _completions = [];

    /// <summary>The declared outputs, in the Elsa casing.</summary>
    private readonly List<string> _declaredOutputs = [];

    private ElsaFragment? ConvertSetOutput(JsonObject activity, string id, string? type, string prefix)
    {
        var name = Property(activity, "outputName");
        if (name is null || !name.Is(ElsaExpression.Literal) || string.IsNullOrWhiteSpace(name.Text))
        {
            Problem(id, type, name is null ? "It does not name an output." : $"Its output name {Excerpt(name.Text)} is not literal text.");
            return null;
        }

        if (!RequireValue(Property(activity, "outputValue"), ValueShape.Any, id, type, "value", out var value))
        {
            return null;
        }

        var outputName = _declaredOutputs.FirstOrDefault(o => string.Equals(o, name.Text.Trim(), StringComparison.OrdinalIgnoreCase)) ?? name.Text.Trim();
        var node = AddNode(activity, prefix, Transform, new JsonObject { ["value"] = value ?? JsonValue.Create("{{ null }}") });
        SetOutput(outputName, NodeOutput(node.Id));
        return ElsaFragment.Single(node.Id);
    }

    private void SetOutput(string name, string expression)
    {
        if (!_outputs.TryGetValue(name, out var setters))
        {
            _outputs[name] = setters = [];
        }

        setters.Add(expression);
    }

    /// <summary>
    /// The definition's output: each Elsa output is the value set for it (by the last SetOutput or bound
    /// activity in the document that ran, when several could), null when none ran; and the outcomes of the Complete
    /// that ended it, when the workflow declares outcomes or completes with some.
    /// </summary>
    private JsonObject? DefinitionOutput()
    {
        var names = _declaredOutputs.Concat(_outputs.Keys).Distinct(StringComparer.Ordinal).ToList();
        var outcomes = _completions.Where(c => c.Outcomes.Count > 0).ToList();
        if (names.Count == 0 && outcomes.Count == 0)
        {
            return null;
        }

        var output = new JsonObject();
        foreach (var name in names)
        {
            var setters = _outputs.GetValueOrDefault(name) ?? [];
            output[name] = setters.Count == 0 ? "{{ null }}" : "{{ " + string.Join(" ?? ", setters.AsEnumerable().Reverse()) + " }}";
        }

        if (outcomes.Count > 0 && !output.ContainsKey(OutcomesOutput))
        {
            // A Complete node's status tells whether it ran; the first that did gives the outcomes.
            var choice = string.Join(" : ", outcomes.Select(c =>
                $"{ElsaJson.Path("nodes", c.NodeId)}.status == 'Succeeded' ? [{string.Join(", ", c.Outcomes.Select(ElsaJson.Quote))}]")) + " : ['Done']";
            output[OutcomesOutput] = "{{ " + choice + " }}";
        }

        return output;
    }

    private void ReadOutputs(JsonNode? list)
    {
        foreach (var name in (ElsaJson.Array(list) ?? []).Select(o => NonEmpty(ElsaJson.Object(o)?["name"])).OfType<string>())
        {
            _declaredOutputs.Add(name);
        }
    }

    /// <summary>
    /// An activity whose type is another workflow of the import (or one already stored): a workflow node
    /// running it, its inputs from the activity's members of the same names, its outputs into the variables
    /// the activity binds them to, and its outcomes as ports.
    /// </summary>
    private ElsaFragment? ConvertWorkflowActivity(JsonObject activity, string id, string? type, string prefix, ElsaWorkflowReference reference)
    {
        var input = new JsonObject();
        foreach (var name in reference.Inputs)
        {
            if (Property(activity, name) is not { } expression)
            {
                continue;
            }

            if (!RequireValue(expression, ValueShape.Any, id, type, $"input '{name}'", out var value))
            {
                return null;
            }

            input[name] = value;
        }

        var node = AddNode(activity, prefix, Workflow, new JsonObject { ["definitionId"] = reference.DefinitionId, ["input"] = input });
        if (reference.Outcomes.Count > 0)
        {
            var outcomes = NodeOutput(node.Id, OutcomesOutput);
            foreach (var outcome in reference.Outcomes.Append(DonePort).Distinct(StringComparer.Ordinal))
            {
                AddPort(node.Id, outcome, $"contains({outcomes} ?? ['Done'], {ElsaJson.Quote(outcome)})");
            }
        }

        return BindOutputs(activity, prefix, ElsaFragment.Single(node.Id), reference.Outputs.Select(o => (o, NodeOutput(node.Id, o))));
    }
}
