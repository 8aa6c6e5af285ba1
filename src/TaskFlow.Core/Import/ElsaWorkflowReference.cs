using System.Text.Json.Nodes;

namespace TaskFlow.Core.Import;

/// <summary>
/// A workflow that another one uses as an activity: the TaskFlow id it is stored under, and the names of
/// its inputs, outputs and outcomes, which the activity's members and ports refer to.
/// </summary>
/// <param name="Names">What an activity may call it by: the Elsa definition id, name and id, or the stored TaskFlow id.</param>
public sealed record ElsaWorkflowReference(string DefinitionId, IReadOnlyList<string> Names, IReadOnlyList<string> Inputs, IReadOnlyList<string> Outputs, IReadOnlyList<string> Outcomes)
{
    /// <summary>Whether an activity of <paramref name="type"/>, optionally naming <paramref name="workflowDefinitionId"/>, runs this workflow.</summary>
    public bool Matches(string? type, string? workflowDefinitionId) =>
        Names.Any(n => string.Equals(n, workflowDefinitionId, StringComparison.Ordinal)) ||
        (type is not null && Names.Any(n => string.Equals(n, type, StringComparison.OrdinalIgnoreCase) || string.Equals(ElsaNames.Pascalize(n), type, StringComparison.Ordinal)));

    /// <summary>
    /// A stored TaskFlow definition as an Elsa activity may name it: by its id or name. Its inputs are its
    /// declared inputs, its outputs the members of its <c>output</c> object, its outcomes those of an
    /// imported Complete (the <c>outcomes</c> member of its output).
    /// </summary>
    public static ElsaWorkflowReference FromDefinition(Model.WorkflowDefinition definition)
    {
        var outputs = definition.Output is JsonObject output ? output.Select(p => p.Key).Where(k => k != ElsaConversion.OutcomesOutput).ToList() : [];
        var names = new[] { definition.Id, definition.Name }.OfType<string>().Where(n => n.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        return new ElsaWorkflowReference(definition.Id, names, definition.Inputs.Keys.ToList(), outputs, []);
    }

    /// <summary>The reference an Elsa definition makes, read from its JSON without converting it.</summary>
    internal static ElsaWorkflowReference From(JsonObject definition, string definitionId)
    {
        static IEnumerable<string> NamesOf(JsonNode? list) =>
            (ElsaJson.Array(list) ?? []).Select(o => ElsaJson.String(ElsaJson.Object(o)?["name"]) ?? ElsaJson.String(o)).OfType<string>().Where(n => n.Length > 0);

        var names = new[] { ElsaJson.String(definition["definitionId"]), ElsaJson.String(definition["name"]), ElsaJson.String(definition["id"]), definitionId }
            .OfType<string>().Where(n => n.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        var outcomes = NamesOf(definition["outcomes"]).Concat(CompleteOutcomes(definition["root"])).Distinct(StringComparer.Ordinal).ToList();
        return new ElsaWorkflowReference(definitionId, names, NamesOf(definition["inputs"]).ToList(), NamesOf(definition["outputs"]).ToList(), outcomes);
    }

    /// <summary>The literal outcomes of every Complete activity in the tree.</summary>
    private static IEnumerable<string> CompleteOutcomes(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject activity:
                if (ElsaActivityTypes.Classify(ElsaJson.String(activity["type"])) == ElsaActivityKind.Complete && ElsaExpression.Read(activity["outcomes"]) is { } outcomes)
                {
                    var value = ElsaJson.String(outcomes.Value) is { } text ? ElsaValues.TryParseJson(text) as JsonArray ?? [JsonValue.Create(text)] : outcomes.Value as JsonArray ?? [];
                    foreach (var outcome in value.Select(ElsaJson.String).OfType<string>())
                    {
                        yield return outcome;
                    }
                }

                foreach (var (_, child) in activity)
                {
                    foreach (var outcome in CompleteOutcomes(child))
                    {
                        yield return outcome;
                    }
                }

                break;
            case JsonArray items:
                foreach (var item in items)
                {
                    foreach (var outcome in CompleteOutcomes(item))
                    {
                        yield return outcome;
                    }
                }

                break;
        }
    }
}
