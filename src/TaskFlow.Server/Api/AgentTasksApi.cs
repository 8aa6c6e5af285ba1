using System.Text.Json;
using System.Text.Json.Nodes;
using TaskFlow.Engine.AgentTasks;
using TaskFlow.Engine.Instances;
using TaskFlow.Engine.Persistence;
using TaskFlow.Server.Auth;

namespace TaskFlow.Server.Api;

/// <summary>
/// <c>/api/agent-tasks</c>: agents list ready tasks, claim one under a lease, renew the lease with
/// heartbeats and complete or fail it. Each call is one conditional update, so a task is held by one
/// agent at a time and finished once, whichever server the calls reach.
/// </summary>
internal static class AgentTasksApi
{
    private const int MaxTake = 500;
    private static readonly TimeSpan MaxLease = TimeSpan.FromHours(24);

    public static void MapAgentTasksApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/agent-tasks", ListAsync)
            .WithTags("Agent tasks")
            .WithSummary("Agent tasks, oldest first: status=ready|claimed|completed|failed|timedOut (default: not finished), capability= keeps those needing it, correlationId= those of instances with that correlation id (children inherit it), instanceId= those of one instance.")
            .Produces<IReadOnlyList<AgentTaskResponse>>();

        app.MapGet("/api/agent-tasks/{id}", GetAsync)
            .WithTags("Agent tasks")
            .WithSummary("One agent task, finished or not.")
            .Produces<AgentTaskResponse>().ProducesProblem(StatusCodes.Status404NotFound);

        app.MapPost("/api/agent-tasks/{id}/claim", ClaimAsync)
            .WithTags("Agent tasks")
            .RequireRole(ApiRole.Operator)
            .WithSummary("Claims a ready task: { \"agent\": \"name\", \"lease\"?: \"5m\" }. Answers the task and a lease token (the same token again, renewed, to the agent already holding it); 409 when another agent holds it or it is finished.")
            .Produces<AgentTaskClaim>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);

        app.MapPost("/api/agent-tasks/{id}/heartbeat", HeartbeatAsync)
            .WithTags("Agent tasks")
            .RequireRole(ApiRole.Operator)
            .WithSummary("Renews a claim: { \"leaseToken\": \"...\" }. 409 when the lease expired or is not the current one.")
            .Produces<AgentTaskClaim>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);

        app.MapPost("/api/agent-tasks/{id}/complete", (string id, HttpRequest request, EngineStore store, CancellationToken ct) => FinishAsync(id, request, store, completed: true, ct))
            .WithTags("Agent tasks")
            .RequireRole(ApiRole.Operator)
            .WithSummary("Completes a claimed task: { \"leaseToken\": \"...\", \"output\": any }. The node goes on with the output; 409 when the lease expired or is stale.")
            .Produces<AgentTaskResponse>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);

        app.MapPost("/api/agent-tasks/{id}/fail", (string id, HttpRequest request, EngineStore store, CancellationToken ct) => FinishAsync(id, request, store, completed: false, ct))
            .WithTags("Agent tasks")
            .RequireRole(ApiRole.Operator)
            .WithSummary("Fails a claimed task: { \"leaseToken\": \"...\", \"error\": \"why\" }. The node fails with the error; 409 when the lease expired or is stale.")
            .Produces<AgentTaskResponse>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
    }

    private static async Task<IResult> ListAsync(string? status, string? capability, string? correlationId, string? instanceId, int? take, EngineStore store, CancellationToken cancellationToken)
    {
        if (take is < 1 or > MaxTake)
        {
            return ApiProblems.BadRequest("Invalid take.", $"take must be from 1 to {MaxTake}.");
        }

        if (correlationId is { Length: 0 or > InstanceFilter.CorrelationIdMaxLength })
        {
            return ApiProblems.BadRequest("Invalid correlation id.", $"correlationId must have 1 to {InstanceFilter.CorrelationIdMaxLength} characters.");
        }

        if (instanceId is { Length: 0 or > 100 })
        {
            return ApiProblems.BadRequest("Invalid instance id.", "instanceId must have 1 to 100 characters.");
        }

        AgentTaskStatus? wanted = null;
        if (status is not null)
        {
            if (!Enum.TryParse<AgentTaskStatus>(status, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed) || int.TryParse(status, out _))
            {
                return ApiProblems.BadRequest("Invalid status.", $"status '{status}' is not one of ready, claimed, completed, failed, timedOut.");
            }

            wanted = parsed;
        }

        // The capability filter runs over the listed tasks, which the agents working on them bound.
        var tasks = await store.ListAgentTasksAsync(wanted, capability is null ? take ?? 100 : 10_000, cancellationToken, correlationId, instanceId);
        return TypedResults.Ok(tasks.Where(t => capability is null || string.Equals(t.Capability, capability, StringComparison.Ordinal)).Take(take ?? 100).Select(AgentTaskResponse.From).ToArray());
    }

    private static async Task<IResult> GetAsync(string id, EngineStore store, CancellationToken cancellationToken) =>
        id.Length <= 100 && await store.GetAgentTaskAsync(id, cancellationToken) is { } task
            ? TypedResults.Ok(AgentTaskResponse.From(task))
            : ApiProblems.NotFound($"Agent task '{id}' does not exist (or its node no longer waits).");

    private static async Task<IResult> ClaimAsync(string id, HttpRequest request, EngineStore store, CancellationToken cancellationToken)
    {
        var (body, problem) = await ReadObjectAsync(request);
        if (problem is not null)
        {
            return problem;
        }

        var agent = body!["agent"] is JsonValue a && a.TryGetValue<string>(out var name) && !string.IsNullOrWhiteSpace(name) ? name.Trim() : null;
        if (agent is null)
        {
            return ApiProblems.BadRequest("Invalid claim.", "'agent' is required: a name for the agent taking the task, shown to others and in the journal.");
        }

        TimeSpan? lease = null;
        if (body["lease"] is JsonNode leaseNode)
        {
            if (!Core.Model.Duration.TryParse(leaseNode.ToString(), out var parsed) || parsed <= TimeSpan.Zero || parsed > MaxLease)
            {
                return ApiProblems.BadRequest("Invalid claim.", $"'lease' is '{leaseNode}', which is not a duration from 1s to 24h (e.g. 5m).");
            }

            lease = parsed;
        }

        if (id.Length > 100 || await store.GetAgentTaskAsync(id, cancellationToken) is not { } task)
        {
            return ApiProblems.NotFound($"Agent task '{id}' does not exist (or its node no longer waits).");
        }

        var answer = await store.ClaimAgentTaskAsync(id, agent, lease ?? LeaseOf(task), cancellationToken);
        return answer.Taken ? TypedResults.Ok(AgentTaskClaim.From(answer)) : Refused(id, answer);
    }

    private static async Task<IResult> HeartbeatAsync(string id, HttpRequest request, EngineStore store, CancellationToken cancellationToken)
    {
        var (body, problem) = await ReadObjectAsync(request);
        if (problem is not null)
        {
            return problem;
        }

        if (LeaseToken(body!) is not { } leaseToken)
        {
            return MissingLease();
        }

        if (id.Length > 100 || await store.GetAgentTaskAsync(id, cancellationToken) is not { } task)
        {
            return ApiProblems.NotFound($"Agent task '{id}' does not exist (or its node no longer waits).");
        }

        var answer = await store.RenewAgentTaskAsync(id, leaseToken, LeaseOf(task), cancellationToken);
        return answer.Taken ? TypedResults.Ok(AgentTaskClaim.From(answer)) : Refused(id, answer);
    }

    private static async Task<IResult> FinishAsync(string id, HttpRequest request, EngineStore store, bool completed, CancellationToken cancellationToken)
    {
        var (body, problem) = await ReadObjectAsync(request);
        if (problem is not null)
        {
            return problem;
        }

        if (LeaseToken(body!) is not { } leaseToken)
        {
            return MissingLease();
        }

        if (!completed && body!["error"] is null)
        {
            return ApiProblems.BadRequest("Invalid failure.", "'error' is required: say why the task failed.");
        }

        var answer = await store.FinishAgentTaskAsync(id.Length > 100 ? "" : id, leaseToken, completed, completed ? body!["output"] : body!["error"], cancellationToken);
        return answer.Taken ? TypedResults.Ok(AgentTaskResponse.From(answer.Task!)) : Refused(id, answer);
    }

    /// <summary>The lease the node asked for.</summary>
    internal static TimeSpan LeaseOf(AgentTaskView task) =>
        task.Details["leaseMs"] is JsonValue ms && ms.TryGetValue<long>(out var value) && value > 0 ? TimeSpan.FromMilliseconds(value) : TimeSpan.FromMinutes(5);

    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    /// <summary>A response as the MCP tools return it: the same JSON as the REST API's.</summary>
    internal static JsonObject ToJson<T>(T response) => JsonSerializer.SerializeToNode(response, Web)!.AsObject();

    private static string? LeaseToken(JsonObject body) =>
        body["leaseToken"] is JsonValue v && v.TryGetValue<string>(out var token) && token.Length is > 0 and <= 100 ? token : null;

    private static IResult MissingLease() => ApiProblems.BadRequest("Invalid lease.", "'leaseToken' is required: the token the claim answered.");

    private static IResult Refused(string id, AgentTaskAnswer answer) => answer.Refusal == AgentTaskRefusal.Unknown
        ? ApiProblems.NotFound(AgentTaskMessages.Refusal(id, answer))
        : ApiProblems.Conflict(AgentTaskMessages.Refusal(id, answer));

    private static async Task<(JsonObject? Body, IResult? Problem)> ReadObjectAsync(HttpRequest request)
    {
        var (text, problem) = await RequestBody.ReadJsonAsync(request);
        if (problem is not null)
        {
            return (null, problem);
        }

        try
        {
            return JsonNode.Parse(text) is JsonObject body
                ? (body, null)
                : (null, ApiProblems.BadRequest("Invalid request.", "The body must be a JSON object."));
        }
        catch (JsonException ex)
        {
            return (null, RequestBody.Malformed(ex));
        }
    }
}

/// <summary>An agent task as the API shows it.</summary>
public sealed record AgentTaskResponse(
    string Id, string InstanceId, string NodeId, string? Title, string? Description, string? Capability, JsonNode? Input, JsonNode? Correlation,
    string Status, string? ClaimedBy, DateTimeOffset? LeaseUntil, DateTimeOffset Since)
{
    internal static AgentTaskResponse From(AgentTaskView t) => new(
        t.Id, t.InstanceId, t.NodeId, t.Details["title"]?.ToString(), t.Details["description"]?.ToString(), t.Capability,
        t.Details["input"]?.DeepClone(), t.Details["correlation"]?.DeepClone(), JsonNamingPolicy.CamelCase.ConvertName(t.Status.ToString()), t.ClaimedBy, t.LeaseUntil, t.Since);
}

/// <summary>The answer to a claim or heartbeat: the task and the lease to send with heartbeats and the completion.</summary>
public sealed record AgentTaskClaim(AgentTaskResponse Task, string LeaseToken, DateTimeOffset? LeaseUntil)
{
    internal static AgentTaskClaim From(AgentTaskAnswer answer) => new(AgentTaskResponse.From(answer.Task!), answer.LeaseToken!, answer.Task!.LeaseUntil);
}
