using System.Text.Json.Nodes;
using TaskFlow.Core.Model;

namespace TaskFlow.Core.Import;

/// <summary>
/// One conversion of an Elsa 3 workflow definition into a TaskFlow definition. It collects every
/// problem instead of stopping at the first, so that the user can fix an export in one go.
/// </summary>
internal sealed partial class ElsaConversion(JsonObject document, ElsaImportContext context)
{
    private const string Noop = "noop";
    private const string Join = "join";
    private const string Delay = "delay";
    private const string Workflow = "workflow";
    private const string SetVariable = "setVariable";
    private const string Log = "log";
    private const string Transform = "transform";

    private readonly ElsaNames _names = new();
    private readonly List<ElsaImportProblem> _problems = [];
    private readonly List<string> _notes = [];
    private readonly Dictionary<string, InputDefinition> _inputs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, JsonNode?> _variables = new(StringComparer.Ordinal);
    private readonly List<TriggerDefinition> _triggers = [];

    /// <summary>Definitions made from this document that its nodes run (loop bodies of several activities).</summary>
    private readonly List<WorkflowDefinition> _companions = [];

    /// <summary>This definition's id, once read.</summary>
    private string _id = "";

    /// <summary>
    /// True when the document is the body of a loop made into a workflow of its own: the loop's current
    /// item and index are its inputs <c>item</c> and <c>index</c>.
    /// </summary>
    public bool LoopBody { get; init; }

    public ElsaImportResult Run()
    {
        var root = ElsaJson.Object(document["root"]);
        var rootId = ElsaJson.String(root?["id"]);
        var rootType = ElsaJson.String(root?["type"]);
        if (root is null)
        {
            return ElsaImportResult.Failure("The workflow definition's 'root' is not an activity; expected an Elsa.Flowchart.");
        }

        if (rootType is null)
        {
            return ElsaImportResult.Failure([new ElsaImportProblem(rootId, rootType, "The root activity has no type; expected an Elsa.Flowchart (or another activity, such as an Elsa.Sequence).")]);
        }

        if (ElsaActivityTypes.Classify(rootType) != ElsaActivityKind.Flowchart)
        {
            // Any other root (a Sequence, one WriteLine, a workflow used as an activity) runs as a flowchart of that one activity.
            var single = (JsonObject)root.DeepClone();
            if (NonEmpty(single["id"]) is null)
            {
                single["id"] = "root";
            }

            root = new JsonObject { ["type"] = "Elsa.Flowchart", ["id"] = "Flowchart1", ["activities"] = new JsonArray(single) };
        }
        else if (NonEmpty(root["id"]) is null)
        {
            root = (JsonObject)root.DeepClone();
            root["id"] = "Flowchart1";
        }

        var id = _id = DefinitionId();
        ReadVariables(document["variables"]);
        ReadVariables(root["variables"]);
        ReadInputs(document["inputs"]);
        ReadOutputs(document["outputs"]);
        if (LoopBody)
        {
            _inputs[LoopItemInput] = new InputDefinition { Type = "any", Description = "The loop's current item." };
            _inputs[LoopIndexInput] = new InputDefinition { Type = "integer", Description = "The item's 0-based position in the loop's list." };
        }

        var fragment = ConvertFlowchart(root, "", nested: false);
        if (_problems.Count == 0 && fragment is not null)
        {
            FinishGraph(fragment);
        }

        if (_problems.Count > 0)
        {
            return ElsaImportResult.Failure(_problems);
        }

        var output = DefinitionOutput();
        RewriteAllScripts(output);
        return ElsaImportResult.Success(new WorkflowDefinition
        {
            Id = id,
            Name = NonEmpty(document["name"]),
            Description = NonEmpty(document["description"]),
            Inputs = _inputs,
            Variables = _variables,
            Nodes = _nodes,
            Edges = _edges,
            Triggers = _triggers,
            Output = output,
        }, _notes, _companions);
    }

    private void Problem(string? activityId, string? activityType, string message) => _problems.Add(new ElsaImportProblem(activityId, activityType, message));

    private void Note(string? activityId, string? activityType, string message) =>
        _notes.Add(activityId is null ? message : $"Activity '{activityId}' ({activityType ?? "no type"}): {message}");

    private static string? NonEmpty(JsonNode? node) => ElsaJson.String(node) is { Length: > 0 } text ? text : null;

    /// <summary>Source text for messages, shortened so that a long script does not drown the message.</summary>
    private static string Excerpt(string text)
    {
        var line = string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return line.Length <= 120 ? $"'{line}'" : $"'{line[..117]}...'";
    }
}
