using System.Globalization;
using System.Security.Claims;
using System.Text.Json.Nodes;
using TaskFlow.Engine.Approvals;
using TaskFlow.Engine.Persistence;
using TaskFlow.Server.Auth;
using TaskFlow.Server.Audit;

namespace TaskFlow.Server.Api;

/// <summary><c>GET /api/approvals</c> lists pending approvals; <c>POST /api/approvals/{id}</c> decides one, once.</summary>
internal static partial class ApprovalsApi
{
    private const int MaxTake = 500;

    public static void MapApprovalsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/approvals", ListAsync)
            .WithTags("Approvals")
            .WithSummary("Pending approvals, oldest first; assignee= keeps those assigned to that person or group, instanceId= those of one instance.")
            .Produces<IReadOnlyList<ApprovalResponse>>();

        app.MapPost("/api/approvals/{id}", DecideAsync)
            .Audited("approval.decide")
            .WithTags("Approvals")
            .RequireRole(ApiRole.Operator)
            .WithSummary("Decides an approval: { \"decision\": \"approve\", \"comment\"?, \"form\"?: {...}, \"by\"?: \"alice\" }. The node leaves by the decision's port; decision, by whom (and the API key's name) and when go into the journal. 409 when already decided.")
            .Produces<ApprovalDecided>()
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
    }

    private static async Task<IResult> ListAsync(string? assignee, string? instanceId, int? take, EngineStore store, CancellationToken cancellationToken)
    {
        if (take is < 1 or > MaxTake)
        {
            return ApiProblems.BadRequest("Invalid take.", $"take must be from 1 to {MaxTake}.");
        }

        // The assignee filter runs over the pending list, which is bounded by the people deciding.
        var pending = await store.ListApprovalsAsync(instanceId, assignee is null ? take ?? 100 : 10_000, cancellationToken);
        return TypedResults.Ok(pending.Where(a => assignee is null || a.IsAssignedTo(assignee)).Take(take ?? 100).Select(ApprovalResponse.From).ToArray());
    }

    private static async Task<IResult> DecideAsync(string id, HttpRequest request, EngineStore store, TimeProvider time, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var (json, problem) = await RequestBody.ReadJsonAsync(request);
        if (problem is not null)
        {
            return problem;
        }

        var (decision, invalid) = ApprovalDecision.Parse(json);
        if (invalid is not null)
        {
            return invalid;
        }

        if (id.Length > 100 || await store.GetApprovalAsync(id, cancellationToken) is not { } approval)
        {
            return ApiProblems.NotFound($"Approval '{id}' does not exist (or its node no longer waits).");
        }

        if (approval.Decided)
        {
            return AlreadyDecided(id);
        }

        if (!approval.Options.Contains(decision.Decision))
        {
            return ApiProblems.BadRequest("Invalid decision.", $"'{decision.Decision}' is not an option of approval '{id}'; its options are {string.Join(", ", approval.Options)}.");
        }

        // The key's name (from TaskFlow:Server:Keys or the keys file; ApiKeys:N for a plain key).
        var key = request.HttpContext.User.Identity?.Name ?? request.HttpContext.User.FindFirstValue(ClaimTypes.NameIdentifier) ?? "unknown";
        var by = decision.By ?? $"api-key {key}";
        var at = time.GetUtcNow();
        var payload = new JsonObject
        {
            ["decision"] = decision.Decision,
            ["by"] = by,
            ["key"] = key,
            ["comment"] = decision.Comment,
            ["form"] = decision.Form?.DeepClone(),
            ["decidedAt"] = at.ToString("O", CultureInfo.InvariantCulture),
        };
        var message = $"Decision '{decision.Decision}' by {by} (API key {key}) at {at.ToString("O", CultureInfo.InvariantCulture)}" + (decision.Comment is null ? "." : $": {decision.Comment}");
        if (await store.DecideApprovalAsync(id, payload, message, cancellationToken) is not { } resumed)
        {
            // Another decision (or the timeout) took it between the read and this update.
            return AlreadyDecided(id);
        }

        Decided(loggers.CreateLogger(typeof(ApprovalsApi).FullName!), id, resumed.InstanceId, resumed.NodeId, decision.Decision, by);
        return TypedResults.Ok(new ApprovalDecided(id, resumed.InstanceId, resumed.NodeId, decision.Decision, by, at));
    }

    private static IResult AlreadyDecided(string id) => ApiProblems.Conflict($"Approval '{id}' was already decided (or timed out); a decision is taken once.");

    [LoggerMessage(Level = LogLevel.Information, Message = "Approval {ApprovalId} of instance {InstanceId} node {NodeId}: {Decision} by {By}")]
    private static partial void Decided(ILogger logger, string approvalId, string instanceId, string nodeId, string decision, string by);
}

/// <summary>A pending approval as the API shows it.</summary>
public sealed record ApprovalResponse(string Id, string InstanceId, string NodeId, string? Title, string? Description, JsonNode? Assignees, string? Group, IReadOnlyList<string> Options, JsonNode? Form, string? DefaultOutcome, string? TimeoutAt, DateTimeOffset Since)
{
    internal static ApprovalResponse From(ApprovalView a) => new(
        a.Id, a.InstanceId, a.NodeId, a.Details["title"]?.ToString(), a.Details["description"]?.ToString(), a.Details["assignees"]?.DeepClone(),
        a.Details["group"]?.ToString(), a.Options, a.Details["form"]?.DeepClone(), a.Details["defaultOutcome"]?.ToString(), a.Details["timeoutAt"]?.ToString(), a.Since);
}

/// <summary>The answer to a decision.</summary>
public sealed record ApprovalDecided(string Id, string InstanceId, string NodeId, string Decision, string By, DateTimeOffset DecidedAt);
