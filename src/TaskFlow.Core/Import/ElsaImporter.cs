using System.Text.Json;
using System.Text.Json.Nodes;

namespace TaskFlow.Core.Import;

/// <summary>
/// Converts Elsa 3 workflow definitions, as Elsa Studio and <c>GET /elsa/api/workflow-definitions/{id}/export</c>
/// produce them, into TaskFlow definitions. Pure: no I/O, and bad input is reported, never thrown.
/// See docs/elsa-import.md for the mapping.
/// </summary>
public static class ElsaImporter
{
    private static readonly JsonNodeOptions NodeOptions = new() { PropertyNameCaseInsensitive = true };

    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        MaxDepth = 256,
    };

    // Members under which API responses and hand-made files wrap the definition, e.g. the body of
    // POST /elsa/api/workflow-definitions ({ "model": { ... }, "publish": true }).
    private static readonly string[] Wrappers = ["model", "workflowDefinition", "definition", "workflow"];

    /// <summary>Converts one Elsa 3 workflow definition (JSON text) into a TaskFlow definition.</summary>
    public static ElsaImportResult Convert(string elsaJson) => Convert(elsaJson, null, []);

    /// <summary>
    /// Converts one Elsa 3 workflow definition that may use <paramref name="workflows"/> as activities;
    /// <paramref name="fileName"/> gives the id when the document has none.
    /// </summary>
    public static ElsaImportResult Convert(string elsaJson, string? fileName, IReadOnlyList<ElsaWorkflowReference> workflows, ElsaImportOptions? options = null)
    {
        var (definition, failure) = Read(elsaJson);
        return failure ?? Convert(definition!, new ElsaImportContext(fileName, workflows, options));
    }

    /// <summary>
    /// Converts a set of Elsa 3 workflow definitions (a folder, a zip, a JSON array) that use each other as
    /// activities, and <paramref name="stored"/> ones. The results come in dependency order (a workflow after
    /// the ones it uses), which is the order to save them in.
    /// </summary>
    public static ElsaSetImportResult ConvertSet(IReadOnlyList<ElsaImportFile> files, IReadOnlyList<ElsaWorkflowReference>? stored = null, ElsaImportOptions? options = null) =>
        new ElsaSetConversion(files, stored ?? [], options ?? ElsaImportOptions.Default).Run();

    internal static ElsaImportResult Convert(JsonObject definition, ElsaImportContext context)
    {
        try
        {
            return new ElsaConversion(definition, context).Run();
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or FormatException)
        {
            // JsonObject throws these, when first read, for a member written twice (names match in
            // any casing) or a value of an unexpected kind; Elsa never writes such a document.
            return ElsaImportResult.Failure($"The document could not be read as an Elsa workflow definition: {ex.Message}");
        }
    }

    /// <summary>The definition object of a document, or the failure that says why there is none.</summary>
    internal static (JsonObject? Definition, ElsaImportResult? Failure) Read(string elsaJson)
    {
        // A byte-order mark survives in text that was decoded without detecting it (a request body, a file read as bytes).
        elsaJson = elsaJson.TrimStart('\uFEFF');
        if (string.IsNullOrWhiteSpace(elsaJson))
        {
            return (null, ElsaImportResult.Failure("The document is empty; expected an Elsa 3 workflow definition (a JSON object with a 'root' flowchart)."));
        }

        JsonNode? document;
        try
        {
            document = JsonNode.Parse(elsaJson, NodeOptions, DocumentOptions);
        }
        catch (JsonException ex)
        {
            return (null, ElsaImportResult.Failure($"The document is not valid JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1} of that line): {Reason(ex)}"));
        }

        try
        {
            return FindDefinition(document) is { } definition ? (definition, null) : (null, ElsaImportResult.Failure(Describe(document)));
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or FormatException)
        {
            return (null, ElsaImportResult.Failure($"The document could not be read as an Elsa workflow definition: {ex.Message}"));
        }
    }

    private static JsonObject? FindDefinition(JsonNode? document)
    {
        if (document is not JsonObject root)
        {
            return null;
        }

        if (root.ContainsKey("root"))
        {
            return root;
        }

        foreach (var wrapper in Wrappers)
        {
            if (root[wrapper] is JsonObject inner && inner.ContainsKey("root"))
            {
                return inner;
            }
        }

        // A bare flowchart activity, as copied from the designer, is a definition without metadata.
        return ElsaActivityTypes.Classify(ElsaJson.String(root["type"])) == ElsaActivityKind.Flowchart && root.ContainsKey("activities")
            ? new JsonObject { ["root"] = root.DeepClone() }
            : null;
    }

    private static string Describe(JsonNode? document)
    {
        if (document is not JsonObject root)
        {
            return $"The document is a JSON {(document is null ? "null" : document.GetValueKind().ToString().ToLowerInvariant())}, not an Elsa workflow definition; expected an object with a 'root' flowchart.";
        }

        if (ElsaJson.Array(root["activities"]) is { } activities && activities.OfType<JsonObject>().Any(a => a.ContainsKey("activityId")))
        {
            return "This is an Elsa 2 workflow definition (its activities have 'activityId'); only Elsa 3 definitions can be imported. Migrate it to Elsa 3 and export it again.";
        }

        return "The document is not an Elsa 3 workflow definition: it has no 'root' activity. " +
               "Export the workflow from Elsa Studio, or with GET /elsa/api/workflow-definitions/{definitionId}/export, and import that file.";
    }

    private static string Reason(JsonException ex)
    {
        var reason = ex.Message;
        var cut = reason.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return cut > 0 ? reason[..cut] : reason;
    }
}
