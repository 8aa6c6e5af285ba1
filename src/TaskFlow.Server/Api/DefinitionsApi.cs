using TaskFlow.Core.Serialization;
using TaskFlow.Core.Validation;
using TaskFlow.Engine.Runtime;
using TaskFlow.Server.Audit;

namespace TaskFlow.Server.Api;

/// <summary><c>/api/definitions</c>: create, version, list, read and delete workflow definitions.</summary>
internal static class DefinitionsApi
{
    public static void MapDefinitionsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/definitions").WithTags("Definitions");

        group.MapPost("/", CreateAsync)
            .Audited("definition.save")
            .WithSummary("Stores a definition: version 1 of a new id, or the next version of an existing one. It is published unless ?publish=false (a draft).")
            .Accepts<object>("application/json")
            .Produces<DefinitionResponse>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        group.MapPut("/{id}", UpdateAsync)
            .Audited("definition.save")
            .WithSummary("Stores a new version of an existing definition; the body's id must match. It is published unless ?publish=false (a draft).")
            .Accepts<object>("application/json")
            .Produces<DefinitionResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        group.MapGet("/", ListAsync)
            .WithSummary("The latest version of every definition, with its published version.")
            .Produces<DefinitionResponse[]>();
        group.MapGet("/{id}", GetAsync)
            .WithSummary("The latest version of a definition (draft or published), or the one named by ?version=N.")
            .Produces<DefinitionResponse>().ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{id}/versions", VersionsAsync)
            .WithSummary("Every stored version of a definition, oldest first.")
            .Produces<DefinitionVersionResponse[]>().ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{id}/publish", PublishAsync)
            .Audited("definition.publish")
            .WithSummary("Publishes the latest version, or the one named by ?version=N: runs by id, cron triggers and child workflows use it from now on.")
            .Produces<DefinitionResponse>().ProducesProblem(StatusCodes.Status404NotFound);
        group.MapDelete("/{id}", DeleteAsync)
            .Audited("definition.delete")
            .WithSummary("Deletes a definition (all versions). Instances already running on it finish normally.")
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<IResult> CreateAsync(HttpRequest request, bool? publish, WorkflowRuntime runtime, CancellationToken cancellationToken)
    {
        var (json, problem) = await RequestBody.ReadJsonAsync(request);
        if (problem is not null)
        {
            return problem;
        }

        try
        {
            var saved = await runtime.SaveDefinitionAsync(json, publish ?? true, cancellationToken);
            return TypedResults.Created($"/api/definitions/{Uri.EscapeDataString(saved.Id)}?version={saved.Version}", DefinitionResponse.From(saved));
        }
        catch (WorkflowValidationException ex)
        {
            return ApiProblems.Invalid(ex.Problems);
        }
    }

    private static async Task<IResult> UpdateAsync(string id, HttpRequest request, bool? publish, WorkflowRuntime runtime, CancellationToken cancellationToken)
    {
        var (json, problem) = await RequestBody.ReadJsonAsync(request);
        if (problem is not null)
        {
            return problem;
        }

        // A document that does not parse falls through to the save, which lists its problems.
        if (WorkflowJson.TryParse(json, out _) is { } parsed && parsed.Id != id)
        {
            return ApiProblems.BadRequest("The definition id does not match the route.", $"The body's id is '{parsed.Id}' but the route names '{id}'. Use POST /api/definitions to store it under its own id.");
        }

        if (await runtime.GetLatestDefinitionAsync(id, cancellationToken) is null)
        {
            return ApiProblems.NotFound($"Workflow definition '{id}' is not stored (or was deleted); create it with POST /api/definitions.");
        }

        try
        {
            return TypedResults.Ok(DefinitionResponse.From(await runtime.SaveDefinitionAsync(json, publish ?? true, cancellationToken)));
        }
        catch (WorkflowValidationException ex)
        {
            return ApiProblems.Invalid(ex.Problems);
        }
    }

    private static async Task<IResult> ListAsync(WorkflowRuntime runtime, CancellationToken cancellationToken) =>
        TypedResults.Ok((await runtime.ListDefinitionsAsync(cancellationToken)).Select(DefinitionResponse.From).ToArray());

    private static async Task<IResult> GetAsync(string id, int? version, WorkflowRuntime runtime, CancellationToken cancellationToken)
    {
        var view = version is null ? await runtime.GetLatestDefinitionAsync(id, cancellationToken) : await runtime.GetDefinitionAsync(id, version, cancellationToken);
        return view is null || view.IsDeleted ? ApiProblems.DefinitionNotFound(id, version) : TypedResults.Ok(DefinitionResponse.From(view));
    }

    private static async Task<IResult> VersionsAsync(string id, WorkflowRuntime runtime, CancellationToken cancellationToken)
    {
        var versions = await runtime.ListDefinitionVersionsAsync(id, cancellationToken);
        return versions.Count == 0
            ? ApiProblems.DefinitionNotFound(id)
            : TypedResults.Ok(versions.Select(v => new DefinitionVersionResponse(v.Id, v.Version, v.Name, v.CreatedAt, v.IsPublished)).ToArray());
    }

    private static async Task<IResult> PublishAsync(string id, int? version, WorkflowRuntime runtime, CancellationToken cancellationToken)
    {
        try
        {
            return await runtime.PublishDefinitionAsync(id, version, cancellationToken) is { } published
                ? TypedResults.Ok(DefinitionResponse.From(published))
                : ApiProblems.DefinitionNotFound(id, version);
        }
        catch (WorkflowValidationException ex)
        {
            // An http trigger claiming a route another published definition serves.
            return ApiProblems.Invalid(ex.Problems);
        }
    }

    private static async Task<IResult> DeleteAsync(string id, WorkflowRuntime runtime, CancellationToken cancellationToken) =>
        await runtime.DeleteDefinitionAsync(id, cancellationToken) ? TypedResults.NoContent() : ApiProblems.DefinitionNotFound(id);
}
