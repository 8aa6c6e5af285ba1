using TaskFlow.Core.Validation;
using TaskFlow.Engine.Runtime;
using TaskFlow.Server.Auth;
using TaskFlow.Server.Audit;

namespace TaskFlow.Server.Api;

/// <summary><c>POST /api/validate</c>: every problem of a definition, without storing it.</summary>
internal static class ValidationApi
{
    public static void MapValidationApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/validate", ValidateAsync)
            .NotAudited()
            .WithTags("Definitions")
            .RequireRole(ApiRole.Viewer)
            .WithSummary("Validates a definition without storing it; lists every problem, and the warnings (what is allowed but probably not meant), which never stop a save.")
            .Accepts<object>("application/json")
            .Produces<ValidationResponse>()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
    }

    private static async Task<IResult> ValidateAsync(HttpRequest request, WorkflowRuntime runtime, CancellationToken cancellationToken)
    {
        var (json, problem) = await RequestBody.ReadJsonAsync(request);
        if (problem is not null)
        {
            return problem;
        }

        var (problems, warnings) = await runtime.CheckAsync(json, cancellationToken);
        return TypedResults.Ok(new ValidationResponse(problems.Count == 0, problems, warnings));
    }
}

/// <summary>The problems (any makes the definition invalid) and the warnings (allowed, probably not meant).</summary>
public sealed record ValidationResponse(bool Valid, IReadOnlyList<ValidationProblem> Problems, IReadOnlyList<ValidationProblem> Warnings);
