using System.Text.Json.Nodes;
using TaskFlow.Core.Import;
using TaskFlow.Core.Serialization;
using TaskFlow.Core.Validation;
using TaskFlow.Engine.Runtime;
using TaskFlow.Server.Audit;

namespace TaskFlow.Server.Api;

/// <summary><c>POST /api/definitions/import/elsa</c>: converts an Elsa 3 workflow definition, and stores it on request.</summary>
internal static class ElsaImportApi
{
    public static void MapElsaImportApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/definitions/import/elsa", ImportAsync)
            .Audited("definition.import")
            .WithTags("Definitions")
            .WithSummary("Converts an Elsa 3 workflow definition (root Elsa.Flowchart) into a TaskFlow definition. With ?save=true it is also stored (published unless ?publish=false). Unsupported activities are listed in one error and nothing is stored.")
            .Accepts<object>("application/json")
            .Produces<ElsaImportResponse>().Produces<ElsaImportResponse>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
    }

    private static async Task<IResult> ImportAsync(HttpRequest request, bool? save, bool? publish, WorkflowRuntime runtime, CancellationToken cancellationToken)
    {
        var (json, problem) = await RequestBody.ReadJsonAsync(request);
        if (problem is not null)
        {
            return problem;
        }

        var result = ElsaImporter.Convert(json);
        if (!result.Succeeded)
        {
            return TypedResults.Problem(
                title: "The Elsa workflow cannot be imported.",
                detail: result.Problems.Count == 1 ? result.Problems[0].ToString() : $"{result.Problems.Count} problems: " + string.Join(" ", result.Problems.Select(p => p.ToString())),
                statusCode: StatusCodes.Status400BadRequest,
                extensions: new Dictionary<string, object?> { ["errors"] = result.Problems });
        }

        var converted = WorkflowJson.Serialize(result.Definition);
        if (save != true)
        {
            var problems = await runtime.ValidateAsync(converted, cancellationToken);
            return problems.Count > 0 ? ApiProblems.Invalid(problems) : TypedResults.Ok(new ElsaImportResponse(JsonNode.Parse(converted)!, result.Notes, null));
        }

        try
        {
            var saved = await runtime.SaveDefinitionAsync(converted, publish ?? true, cancellationToken);
            return TypedResults.Created(
                $"/api/definitions/{Uri.EscapeDataString(saved.Id)}?version={saved.Version}",
                new ElsaImportResponse(JsonNode.Parse(WorkflowJson.Serialize(saved.Definition))!, result.Notes, DefinitionResponse.From(saved)));
        }
        catch (WorkflowValidationException ex)
        {
            return ApiProblems.Invalid(ex.Problems);
        }
    }
}

/// <summary>The converted definition, what the conversion could not carry over exactly, and the stored version when saved.</summary>
public sealed record ElsaImportResponse(JsonNode Definition, IReadOnlyList<string> Notes, DefinitionResponse? Saved);
