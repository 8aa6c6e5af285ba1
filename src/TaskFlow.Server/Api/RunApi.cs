using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using TaskFlow.Core.Model;
using TaskFlow.Engine.Instances;
using TaskFlow.Engine.Persistence;
using TaskFlow.Engine.Runtime;
using TaskFlow.Server.Hosting;
using TaskFlow.Server.Auth;
using TaskFlow.Server.Audit;

namespace TaskFlow.Server.Api;

/// <summary><c>POST /api/definitions/{id}/run</c>: starts an instance, and optionally waits for it.</summary>
internal static class RunApi
{
    private const int DefaultWaitSeconds = 30;

    /// <summary>The request header that carries a run's correlation id (as an alternative to the body's member).</summary>
    public const string CorrelationHeader = "X-Correlation-Id";

    public static void MapRunApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/definitions/{id}/run", RunAsync)
            .Audited("instance.run")
            .WithTags("Definitions")
            .RequireRole(ApiRole.Operator)
            .WithSummary("Starts an instance of the published (or the given) version. Body: { \"input\": {...}, \"version\": n, \"correlationId\": \"...\" }, all optional; the correlation id may also come in the X-Correlation-Id header. With wait=true, waits up to timeout seconds (default 30).")
            .Accepts<RunRequest>("application/json")
            .Produces<RunAccepted>(StatusCodes.Status202Accepted)
            .Produces<InstanceView>()
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<IResult> RunAsync(string id, bool? wait, double? timeout, HttpRequest request, WorkflowRuntime runtime, IOptions<TaskFlowServerOptions> options, CancellationToken cancellationToken)
    {
        var (json, problem) = await RequestBody.ReadJsonAsync(request, optional: true);
        if (problem is not null)
        {
            return problem;
        }

        var (run, invalid) = Parse(json);
        if (invalid is not null)
        {
            return invalid;
        }

        var correlationId = run.CorrelationId;
        if (request.Headers.TryGetValue(CorrelationHeader, out var header))
        {
            var fromHeader = header.ToString();
            if (fromHeader.Length is 0 or > InstanceFilter.CorrelationIdMaxLength)
            {
                return ApiProblems.BadRequest("Invalid correlation id.", $"The {CorrelationHeader} header must have 1 to {InstanceFilter.CorrelationIdMaxLength} characters.");
            }

            if (correlationId is not null && correlationId != fromHeader)
            {
                return ApiProblems.BadRequest("Invalid correlation id.", $"'correlationId' in the body ('{correlationId}') and the {CorrelationHeader} header ('{fromHeader}') differ; send one.");
            }

            correlationId = fromHeader;
        }

        var maxWait = options.Value.MaxRunWait;
        var waitFor = TimeSpan.FromSeconds(timeout ?? DefaultWaitSeconds);
        if (timeout is <= 0 || waitFor > maxWait)
        {
            return ApiProblems.BadRequest("Invalid timeout.", $"timeout must be more than 0 and at most {maxWait.TotalSeconds} seconds (TaskFlow:Server:MaxRunWait).");
        }

        // A deleted definition is not started by id, even by an explicit version.
        if (await runtime.GetDefinitionAsync(id, run.Version, cancellationToken) is not { IsDeleted: false })
        {
            return ApiProblems.DefinitionNotFound(id, run.Version);
        }

        string instanceId;
        try
        {
            (instanceId, _) = await runtime.StartAsync(id, run.Input, run.Version, startKey: null, correlationId, cancellationToken);
        }
        catch (WorkflowInputException ex)
        {
            return ApiProblems.BadRequest("The input is invalid.", ex.Message, ex.Problems);
        }
        catch (WorkflowNotFoundException)
        {
            return ApiProblems.DefinitionNotFound(id, run.Version);
        }

        var location = $"/api/instances/{Uri.EscapeDataString(instanceId)}";
        if (wait != true)
        {
            return TypedResults.Accepted(location, new RunAccepted(instanceId, InstanceStatus.Running));
        }

        var view = await runtime.WaitAsync(instanceId, waitFor, cancellationToken);
        return view is { Status: not InstanceStatus.Running } ? TypedResults.Ok(view) : TypedResults.Accepted(location, view);
    }

    private static (RunRequest Run, IResult? Problem) Parse(string json)
    {
        if (json.Length == 0)
        {
            return (new RunRequest(null, null), null);
        }

        JsonNode? body;
        try
        {
            body = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            return (default!, RequestBody.Malformed(ex));
        }

        if (body is not JsonObject root)
        {
            return (default!, ApiProblems.BadRequest("Invalid run request.", "The body must be a JSON object: { \"input\": {...}, \"version\": n }."));
        }

        var errors = new List<string>();
        errors.AddRange(root.Where(p => p.Key is not ("input" or "version" or "correlationId")).Select(p => $"Unknown member '{p.Key}'; expected 'input', 'version' and 'correlationId'."));
        var input = root["input"];
        if (input is not null and not JsonObject)
        {
            errors.Add("'input' must be a JSON object.");
        }

        int? version = null;
        if (root["version"] is { } v)
        {
            if (v is JsonValue value && value.TryGetValue<int>(out var number) && number >= 1)
            {
                version = number;
            }
            else
            {
                errors.Add("'version' must be a whole number of 1 or more.");
            }
        }

        string? correlationId = null;
        if (root["correlationId"] is { } c)
        {
            if (c is JsonValue value && value.TryGetValue<string>(out var text) && text.Length is > 0 and <= InstanceFilter.CorrelationIdMaxLength)
            {
                correlationId = text;
            }
            else
            {
                errors.Add($"'correlationId' must be a string of 1 to {InstanceFilter.CorrelationIdMaxLength} characters.");
            }
        }

        return errors.Count > 0
            ? (default!, ApiProblems.BadRequest("Invalid run request.", string.Join(" ", errors), errors))
            : (new RunRequest((JsonObject?)input?.DeepClone(), version) { CorrelationId = correlationId }, null);
    }
}

/// <summary>The body of a run request; every member is optional.</summary>
public sealed record RunRequest(JsonObject? Input, int? Version)
{
    /// <summary>The caller's id for what the run belongs to; stored on the instance and searchable.</summary>
    public string? CorrelationId { get; init; }
}

/// <summary>Answer to a run that does not wait: the new instance's id (also in the Location header).</summary>
public sealed record RunAccepted(string Id, InstanceStatus Status);
