using TaskFlow.Core.Validation;

namespace TaskFlow.Server.Api;

/// <summary>The RFC 7807 answers the API gives for expected failures.</summary>
internal static class ApiProblems
{
    public static IResult Invalid(IReadOnlyList<ValidationProblem> problems) => TypedResults.Problem(
        title: "The workflow definition is invalid.",
        detail: problems.Count == 1 ? problems[0].Message : $"{problems.Count} problems: " + string.Join(" ", problems.Select(p => p.Message)),
        statusCode: StatusCodes.Status400BadRequest,
        extensions: new Dictionary<string, object?> { ["errors"] = problems });

    public static IResult BadRequest(string title, string detail, IReadOnlyList<string>? errors = null) => TypedResults.Problem(
        title: title,
        detail: detail,
        statusCode: StatusCodes.Status400BadRequest,
        extensions: errors is null ? null : new Dictionary<string, object?> { ["errors"] = errors });

    public static IResult NotFound(string detail) =>
        TypedResults.Problem(title: "Not found.", detail: detail, statusCode: StatusCodes.Status404NotFound);

    public static IResult DefinitionNotFound(string id, int? version = null) => NotFound(version is null
        ? $"Workflow definition '{id}' is not stored (or was deleted)."
        : $"Workflow definition '{id}' has no version {version}.");

    public static IResult InstanceNotFound(string id) => NotFound($"Instance '{id}' does not exist (or was purged).");

    public static IResult Conflict(string detail) =>
        TypedResults.Problem(title: "Conflict.", detail: detail, statusCode: StatusCodes.Status409Conflict);
}
