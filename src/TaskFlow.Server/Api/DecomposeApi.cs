using System.Text.Json;
using System.Text.Json.Nodes;
using TaskFlow.Core.Decomposition;
using TaskFlow.Core.Validation;
using TaskFlow.Engine.Decomposition;
using TaskFlow.Server.Auth;
using TaskFlow.Server.Audit;

namespace TaskFlow.Server.Api;

/// <summary><c>POST /api/decompose</c>: a task as workflow definitions, optionally stored.</summary>
internal static class DecomposeApi
{
    public static void MapDecomposeApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/decompose", DecomposeAsync)
            .Audited("task.decompose")
            .WithTags("Decomposition")
            .RequireRole(ApiRole.Operator)
            .WithSummary("Decomposes a task into workflow definitions. Body: { \"task\": { \"id\"?, \"description\", \"complexity\"?, \"subtasks\"? }, \"strategy\"?: auto|parallel|hierarchical|recursive|sequential, \"aggregation\"?: sequential|parallel|weighted, \"subtaskActivity\"?: the activity type of subtasks that do not say what runs them (default TaskFlow:Decomposition:SubtaskActivity; agent makes each an agent task), \"save\"?: false }. Returns { strategy, root, subtasks, definitions } with the definitions children first; save stores them all as new published versions.")
            .Accepts<object>("application/json")
            .Produces<JsonObject>()
            .ProducesProblem(StatusCodes.Status400BadRequest);
    }

    private static async Task<IResult> DecomposeAsync(HttpRequest request, TaskDecompositionService decomposition, CancellationToken cancellationToken)
    {
        var (text, problem) = await RequestBody.ReadJsonAsync(request);
        if (problem is not null)
        {
            return problem;
        }

        JsonObject body;
        try
        {
            body = JsonNode.Parse(text) as JsonObject ?? throw new JsonException("The body must be a JSON object.");
        }
        catch (JsonException ex)
        {
            return RequestBody.Malformed(ex);
        }

        var save = false;
        if (body["save"] is JsonNode saveNode)
        {
            if (saveNode.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
            {
                return Invalid([new("decomposition.request", "save", $"save is {saveNode.ToJsonString()}; it must be true or false.")]);
            }

            save = saveNode.GetValue<bool>();
            body.Remove("save");
        }

        string? subtaskActivity = null;
        if (body["subtaskActivity"] is JsonNode activityNode)
        {
            if (activityNode is not JsonValue value || value.GetValueKind() != JsonValueKind.String || string.IsNullOrWhiteSpace(value.GetValue<string>()))
            {
                return Invalid([new("decomposition.request", "subtaskActivity", $"subtaskActivity is {activityNode.ToJsonString()}; it must name an activity type, such as agent.")]);
            }

            subtaskActivity = value.GetValue<string>().Trim();
            body.Remove("subtaskActivity");
        }

        if (DecompositionRequest.Parse(body, out var problems) is not { } parsed)
        {
            return Invalid(problems.Select(p => new ValidationProblem("decomposition.request", "request", p)).ToList());
        }

        DecompositionResult result;
        try
        {
            result = await decomposition.DecomposeAsync(parsed, cancellationToken, subtaskActivity);
            if (save)
            {
                await decomposition.SaveAsync(result, cancellationToken);
            }
        }
        catch (DecompositionException ex)
        {
            return Invalid(ex.Problems);
        }
        catch (WorkflowValidationException ex)
        {
            return Invalid(ex.Problems);
        }

        var output = DecompositionJson.Describe(result);
        output["saved"] = save;
        output["outline"] = DecompositionJson.Outline(result);
        return TypedResults.Ok(output);
    }

    private static IResult Invalid(IReadOnlyList<ValidationProblem> problems) => TypedResults.Problem(
        title: "The task cannot be decomposed.",
        detail: problems.Count == 1 ? problems[0].Message : $"{problems.Count} problems: " + string.Join(" ", problems.Select(p => p.Message)),
        statusCode: StatusCodes.Status400BadRequest,
        extensions: new Dictionary<string, object?> { ["errors"] = problems });
}
