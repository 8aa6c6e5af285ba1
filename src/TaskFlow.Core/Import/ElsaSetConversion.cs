using System.Text.Json.Nodes;
using TaskFlow.Core.Validation;

namespace TaskFlow.Core.Import;

/// <summary>
/// Converts workflows that use each other as activities: every document's reference (id, inputs, outputs,
/// outcomes) is read first, so that each conversion can turn an activity naming another workflow into a
/// workflow node; then they are converted in dependency order. A cycle between documents is refused.
/// </summary>
internal sealed class ElsaSetConversion(IReadOnlyList<ElsaImportFile> files, IReadOnlyList<ElsaWorkflowReference> stored, ElsaImportOptions options)
{
    public ElsaSetImportResult Run()
    {
        var documents = new List<(ElsaImportFile File, JsonObject Definition, ElsaWorkflowReference Reference, int Version)>();
        var failed = new List<ElsaSetImportItem>();
        foreach (var file in files)
        {
            var (definition, failure) = ElsaImporter.Read(file.Json);
            if (failure is not null)
            {
                failed.Add(new ElsaSetImportItem(file.Name, failure));
                continue;
            }

            var id = ElsaConversion.PeekId(definition!, file.Name);
            var version = definition!["version"] is JsonValue v && v.TryGetValue<int>(out var n) ? n : 0;
            documents.Add((file, definition, ElsaWorkflowReference.From(definition, id), version));
        }

        // Documents with the same definition id are versions of one workflow: saved in version order, and
        // an activity naming the workflow runs its latest version, whose inputs and outputs count.
        documents = documents.OrderBy(d => d.Version).ToList();
        var latest = documents.GroupBy(d => d.Reference.DefinitionId, StringComparer.Ordinal).Select(g => g.Last().Reference).ToList();
        var ids = latest.Select(r => r.DefinitionId).ToHashSet(StringComparer.Ordinal);
        var context = latest.Concat(stored.Where(s => !ids.Contains(s.DefinitionId))).ToList();

        // Which workflows of the set each one uses, by activity type or ExecuteWorkflow's workflowDefinitionId.
        var uses = latest.ToDictionary(r => r.DefinitionId, _ => new List<string>(), StringComparer.Ordinal);
        foreach (var document in documents)
        {
            uses[document.Reference.DefinitionId].AddRange(Uses(document.Definition, latest).Where(u => u != document.Reference.DefinitionId));
        }

        var inCycle = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var cycle in GraphCycles.Find(uses))
        {
            var path = string.Join(" -> ", cycle.Append(cycle[0]));
            foreach (var id in cycle)
            {
                inCycle.TryAdd(id, path);
            }
        }

        var results = new Dictionary<string, bool>(StringComparer.Ordinal);
        var ordered = new List<ElsaSetImportItem>();
        foreach (var id in DependencyOrder(uses))
        {
            foreach (var (file, definition, _, _) in documents.Where(d => d.Reference.DefinitionId == id))
            {
                ElsaImportResult result;
                if (inCycle.TryGetValue(id, out var path))
                {
                    result = ElsaImportResult.Failure($"The workflows use each other as activities in a cycle ({path}); TaskFlow saves a workflow after the ones it uses, so a cycle cannot be imported. Break the cycle and export again.");
                }
                else if (uses[id].FirstOrDefault(u => results.TryGetValue(u, out var ok) && !ok) is { } broken)
                {
                    result = ElsaImportResult.Failure($"It uses the workflow '{broken}' ({documents.Last(d => d.Reference.DefinitionId == broken).File.Name}) as an activity, which cannot be imported (see its problems).");
                }
                else
                {
                    result = ElsaImporter.Convert(definition, new ElsaImportContext(file.Name, context, options));
                }

                results[id] = result.Succeeded && results.GetValueOrDefault(id, true);
                ordered.AddRange(result.Companions.Select(c => new ElsaSetImportItem($"{file.Name} ({c.Id})", ElsaImportResult.Success(c, []), file.Name)));
                ordered.Add(new ElsaSetImportItem(file.Name, result));
            }
        }

        return new ElsaSetImportResult([.. ordered, .. failed]);
    }

    /// <summary>The ids of the set's workflows that <paramref name="definition"/> runs.</summary>
    private static IEnumerable<string> Uses(JsonObject definition, List<ElsaWorkflowReference> references)
    {
        var used = new HashSet<string>(StringComparer.Ordinal);
        Collect(definition["root"]);
        return used;

        void Collect(JsonNode? node)
        {
            switch (node)
            {
                case JsonObject activity:
                    var type = ElsaJson.String(activity["type"]);
                    var kind = ElsaActivityTypes.Classify(type);
                    var target = kind is ElsaActivityKind.ExecuteWorkflow or ElsaActivityKind.DispatchWorkflow
                        ? ElsaExpression.Read(activity["workflowDefinitionId"]) is { } e && e.Is(ElsaExpression.Literal) ? e.Text : null
                        : ElsaJson.String(activity["workflowDefinitionId"]);
                    var reference = kind == ElsaActivityKind.Unsupported && type is not null
                        ? references.FirstOrDefault(r => target is not null && r.Names.Contains(target, StringComparer.Ordinal)) ?? references.FirstOrDefault(r => r.Matches(type, null))
                        : target is null ? null : references.FirstOrDefault(r => r.Names.Contains(target, StringComparer.Ordinal));
                    if (reference is not null)
                    {
                        used.Add(reference.DefinitionId);
                    }

                    foreach (var (_, child) in activity)
                    {
                        Collect(child);
                    }

                    break;
                case JsonArray items:
                    foreach (var item in items)
                    {
                        Collect(item);
                    }

                    break;
            }
        }
    }

    /// <summary>Every id after the ones it uses; the members of a cycle in the order they were listed.</summary>
    private static List<string> DependencyOrder(Dictionary<string, List<string>> uses)
    {
        var order = new List<string>();
        var state = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (var id in uses.Keys)
        {
            Visit(id);
        }

        return order;

        void Visit(string id)
        {
            if (state.ContainsKey(id))
            {
                return;
            }

            state[id] = false;
            foreach (var used in uses[id])
            {
                Visit(used);
            }

            state[id] = true;
            order.Add(id);
        }
    }
}
