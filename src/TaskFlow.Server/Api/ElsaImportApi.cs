using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using TaskFlow.Core.Import;
using TaskFlow.Core.Serialization;
using TaskFlow.Core.Validation;
using TaskFlow.Engine.Runtime;
using TaskFlow.Server.Audit;
using TaskFlow.Server.Hosting;

namespace TaskFlow.Server.Api;

/// <summary>
/// <c>POST /api/definitions/import/elsa</c>: converts an Elsa 3 workflow definition, or a set of them (a JSON
/// array, or a zip of .json files) that use each other as activities, and stores them on request.
/// </summary>
internal static class ElsaImportApi
{
    private static readonly string[] ZipTypes = ["application/zip", "application/x-zip-compressed"];

    public static void MapElsaImportApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/definitions/import/elsa", ImportAsync)
            .Audited("definition.import")
            .WithTags("Definitions")
            .WithSummary("Converts an Elsa 3 workflow definition into a TaskFlow definition; a JSON array of definitions or a zip of .json files is imported as a set, " +
                         "whose workflows may use each other (or stored definitions) as activities. With ?save=true they are also stored (published unless ?publish=false), " +
                         "a set in dependency order. Unsupported activities are listed in one error and nothing is stored.")
            .Accepts<object>("application/json", "application/zip")
            // One schema per status: OpenAPI describes the answer to one definition, which the
            // designer uses; a set's answer ({ definitions: [...] }) is in docs/elsa-import.md.
            .Produces<ElsaImportResponse>().Produces<ElsaImportResponse>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
    }

    private static async Task<IResult> ImportAsync(HttpRequest request, bool? save, bool? publish, string? customActivities, WorkflowRuntime runtime, IOptions<TaskFlowServerOptions> options, CancellationToken cancellationToken)
    {
        var custom = customActivities is null ? ElsaCustomActivities.Refuse : ElsaImportOptions.ParseCustomActivities(customActivities);
        if (custom is null)
        {
            return ApiProblems.BadRequest("Invalid customActivities.", $"customActivities is '{customActivities}'; use refuse (the default) or task.");
        }

        var importOptions = new ElsaImportOptions(custom.Value);
        var stored = (await runtime.ListDefinitionsAsync(cancellationToken)).Select(d => ElsaWorkflowReference.FromDefinition(d.Definition)).ToList();
        if (ZipTypes.Any(t => request.ContentType?.StartsWith(t, StringComparison.OrdinalIgnoreCase) == true))
        {
            var (files, zipProblem) = await ReadZipAsync(request, options.Value.MaxRequestBodySize, cancellationToken);
            return zipProblem ?? await ImportSetAsync(files!, stored, importOptions, save == true, publish ?? true, runtime, cancellationToken);
        }

        var (json, problem) = await RequestBody.ReadJsonAsync(request);
        if (problem is not null)
        {
            return problem;
        }

        if (ElsaImportFiles.IsArray(json))
        {
            List<ElsaImportFile> files;
            try
            {
                files = ElsaImportFiles.FromArray(json);
            }
            catch (JsonException ex)
            {
                return RequestBody.Malformed(ex);
            }

            return await ImportSetAsync(files, stored, importOptions, save == true, publish ?? true, runtime, cancellationToken);
        }

        var result = ElsaImporter.Convert(json, null, stored, importOptions);
        if (!result.Succeeded)
        {
            return TypedResults.Problem(
                title: "The Elsa workflow cannot be imported.",
                detail: result.Problems.Count == 1 ? result.Problems[0].ToString() : $"{result.Problems.Count} problems: " + string.Join(" ", result.Problems.Select(p => p.ToString())),
                statusCode: StatusCodes.Status400BadRequest,
                extensions: new Dictionary<string, object?> { ["errors"] = result.Problems });
        }

        var converted = WorkflowJson.Serialize(result.Definition);
        var companions = result.Companions.Select(WorkflowJson.Serialize).ToList();
        if (save != true)
        {
            // The companions are not stored yet, so a node that runs one of them is not a problem here.
            var ids = result.Companions.Select(c => c.Id).ToList();
            var problems = new List<ValidationProblem>();
            foreach (var document in companions.Append(converted))
            {
                problems.AddRange((await runtime.ValidateAsync(document, cancellationToken))
                    .Where(p => !(p.Code == "workflow.unknown" && ids.Any(id => p.Message.Contains($"'{id}'", StringComparison.Ordinal)))));
            }

            return problems.Count > 0
                ? ApiProblems.Invalid(problems)
                : TypedResults.Ok(new ElsaImportResponse(JsonNode.Parse(converted)!, result.Notes, null, [.. companions.Select(c => new ElsaCompanionResponse(JsonNode.Parse(c)!, null))]));
        }

        var companionsSaved = new List<ElsaCompanionResponse>();
        try
        {
            // The companions first: the definition runs them.
            foreach (var document in companions)
            {
                var companion = await runtime.SaveDefinitionAsync(document, publish ?? true, cancellationToken);
                companionsSaved.Add(new ElsaCompanionResponse(JsonNode.Parse(WorkflowJson.Serialize(companion.Definition))!, DefinitionResponse.From(companion)));
            }

            var saved = await runtime.SaveDefinitionAsync(converted, publish ?? true, cancellationToken);
            return TypedResults.Created(
                $"/api/definitions/{Uri.EscapeDataString(saved.Id)}?version={saved.Version}",
                new ElsaImportResponse(JsonNode.Parse(WorkflowJson.Serialize(saved.Definition))!, result.Notes, DefinitionResponse.From(saved), companionsSaved));
        }
        catch (WorkflowValidationException ex) when (companionsSaved.Count > 0)
        {
            return TypedResults.Problem(
                title: "The Elsa workflow cannot be imported.",
                detail: $"'{result.Definition.Id}' is not a valid TaskFlow definition (stored before it: {string.Join(", ", companionsSaved.Select(c => $"{c.Saved!.Id} version {c.Saved.Version}"))}): " +
                        string.Join(" ", ex.Problems.Select(p => $"{p.Code} {p.Target}: {p.Message}")),
                statusCode: StatusCodes.Status400BadRequest,
                extensions: new Dictionary<string, object?> { ["errors"] = ex.Problems });
        }
        catch (WorkflowValidationException ex)
        {
            return ApiProblems.Invalid(ex.Problems);
        }
    }

    /// <summary>
    /// Converts every document first; only when all of them convert (and, when previewing, validate) is
    /// anything stored, in dependency order. A workflow that fails validation when saved stops the import
    /// there; the ones stored before it stay, and the error names them.
    /// </summary>
    private static async Task<IResult> ImportSetAsync(List<ElsaImportFile> files, List<ElsaWorkflowReference> stored, ElsaImportOptions importOptions, bool save, bool publish, WorkflowRuntime runtime, CancellationToken cancellationToken)
    {
        if (files.Count == 0)
        {
            return ApiProblems.BadRequest("Nothing to import.", "The array or zip archive holds no Elsa workflow definitions (.json files).");
        }

        var set = ElsaImporter.ConvertSet(files, stored, importOptions);
        if (!set.Succeeded)
        {
            var failed = set.Items.Where(i => !i.Result.Succeeded).ToList();
            return TypedResults.Problem(
                title: "The Elsa workflows cannot be imported.",
                detail: $"{failed.Count} of {set.Items.Count} workflows cannot be imported; nothing was stored. " +
                        string.Join(" ", failed.Select(i => $"{i.Name}: {string.Join(" ", i.Result.Problems.Select(p => p.ToString()))}")),
                statusCode: StatusCodes.Status400BadRequest,
                extensions: new Dictionary<string, object?> { ["errors"] = failed.ToDictionary(i => i.Name, i => i.Result.Problems) });
        }

        var items = new List<ElsaSetImportItemResponse>();
        if (!save)
        {
            // The set's own workflows are not stored yet, so a node that runs one of them is not a problem here.
            var ids = set.Items.Select(i => i.Result.Definition!.Id).ToHashSet(StringComparer.Ordinal);
            var problems = new List<ValidationProblem>();
            foreach (var item in set.Items)
            {
                var json = WorkflowJson.Serialize(item.Result.Definition!);
                problems.AddRange((await runtime.ValidateAsync(json, cancellationToken))
                    .Where(p => !(p.Code == "workflow.unknown" && ids.Any(id => p.Message.Contains($"'{id}'", StringComparison.Ordinal))))
                    .Select(p => p with { Target = $"{item.Name}: {p.Target}" }));
                items.Add(new ElsaSetImportItemResponse(item.Name, JsonNode.Parse(json)!, item.Result.Notes, null));
            }

            return problems.Count > 0 ? ApiProblems.Invalid(problems) : TypedResults.Ok(new ElsaSetImportResponse(items));
        }

        foreach (var item in set.Items)
        {
            try
            {
                var saved = await runtime.SaveDefinitionAsync(WorkflowJson.Serialize(item.Result.Definition!), publish, cancellationToken);
                items.Add(new ElsaSetImportItemResponse(item.Name, JsonNode.Parse(WorkflowJson.Serialize(saved.Definition))!, item.Result.Notes, DefinitionResponse.From(saved)));
            }
            catch (WorkflowValidationException ex)
            {
                var done = items.Count == 0 ? "nothing was stored" : "stored before it: " + string.Join(", ", items.Select(i => $"{i.Saved!.Id} version {i.Saved.Version}"));
                return TypedResults.Problem(
                    title: "The Elsa workflows cannot be imported.",
                    detail: $"{item.Name} ('{item.Result.Definition!.Id}') is not a valid TaskFlow definition ({done}): " + string.Join(" ", ex.Problems.Select(p => $"{p.Code} {p.Target}: {p.Message}")),
                    statusCode: StatusCodes.Status400BadRequest,
                    extensions: new Dictionary<string, object?> { ["errors"] = ex.Problems });
            }
        }

        return TypedResults.Created("/api/definitions", new ElsaSetImportResponse(items));
    }

    private static async Task<(List<ElsaImportFile>? Files, IResult? Problem)> ReadZipAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit)
        {
            return (null, RequestBody.TooLarge(limit));
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > limit)
            {
                return (null, RequestBody.TooLarge(limit));
            }
        }

        try
        {
            buffer.Position = 0;
            return (ElsaImportFiles.FromZip(buffer, limit * 16), null);
        }
        catch (InvalidDataException ex)
        {
            return (null, ApiProblems.BadRequest("Not a zip archive of Elsa workflows.", $"The body could not be read as a zip archive: {ex.Message}"));
        }
    }
}

/// <summary>The converted definition, what the conversion could not carry over exactly, and the stored version when saved.</summary>
public sealed record ElsaImportResponse(JsonNode Definition, IReadOnlyList<string> Notes, DefinitionResponse? Saved, IReadOnlyList<ElsaCompanionResponse> Companions);

/// <summary>A definition made from the imported document that its definition runs (a loop body of several activities), stored before it.</summary>
public sealed record ElsaCompanionResponse(JsonNode Definition, DefinitionResponse? Saved);

/// <summary>The workflows of a set, in the order they are (or would be) stored.</summary>
public sealed record ElsaSetImportResponse(IReadOnlyList<ElsaSetImportItemResponse> Definitions);

/// <summary>One workflow of a set: the document's name (file name, path in the zip, or <c>[index]</c>), its conversion, and the stored version when saved.</summary>
public sealed record ElsaSetImportItemResponse(string Name, JsonNode Definition, IReadOnlyList<string> Notes, DefinitionResponse? Saved);
