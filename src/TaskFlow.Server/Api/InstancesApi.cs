using TaskFlow.Core.Model;
using TaskFlow.Engine.Instances;
using TaskFlow.Engine.Runtime;
using TaskFlow.Server.Auth;
using TaskFlow.Server.Audit;

namespace TaskFlow.Server.Api;

/// <summary><c>/api/instances</c>: list, inspect, read the journal of, and cancel instances.</summary>
internal static class InstancesApi
{
    public static void MapInstancesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/instances").WithTags("Instances");
        group.MapGet("/", ListAsync)
            .WithSummary("Instances, newest first, filtered by definition, version, status, correlationId, createdAfter/createdBefore, finishedAfter/finishedBefore and q (text in the input); paged by cursor (the 'next' of the previous page) or skip/take.")
            .Produces<InstancePage>().ProducesProblem(StatusCodes.Status400BadRequest);
        group.MapGet("/{id}", GetAsync)
            .WithSummary("An instance with its node states and outputs.")
            .Produces<InstanceView>().ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{id}/journal", JournalAsync)
            .WithSummary("The instance's journal events after the given event id.")
            .Produces<JournalEventView[]>().ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{id}/cancel", CancelAsync)
            .Audited("instance.cancel")
            .RequireRole(ApiRole.Operator)
            .WithSummary("Cancels a running instance and its child instances.")
            .Produces<InstanceView>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost("/{id}/nodes/{nodeId}/retry", RetryNodeAsync)
            .Audited("node.retry")
            .RequireRole(ApiRole.Operator)
            .WithSummary("Reopens a failed instance at a failed node: the node runs again as a new attempt, and work withdrawn when the instance failed is queued again.")
            .Produces<InstanceView>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
    }

    private static async Task<IResult> RetryNodeAsync(string id, string nodeId, WorkflowRuntime runtime, CancellationToken cancellationToken)
    {
        try
        {
            await runtime.RetryNodeAsync(id, nodeId, cancellationToken);
        }
        catch (KeyNotFoundException)
        {
            return ApiProblems.InstanceNotFound(id);
        }
        catch (InvalidOperationException ex)
        {
            return ApiProblems.Conflict(ex.Message);
        }

        return TypedResults.Ok(await runtime.GetInstanceAsync(id, cancellationToken));
    }

    private static async Task<IResult> ListAsync(HttpRequest request, WorkflowRuntime runtime, CancellationToken cancellationToken)
    {
        var errors = new List<string>();
        string? Value(string name) => request.Query.TryGetValue(name, out var values) ? values.ToString() : null;
        var filter = InstanceFilterParser.Parse(Value, errors);
        var skip = Number(Value("skip"), "skip", 0, errors);
        var take = Number(Value("take"), "take", 50, errors);
        if (skip < 0)
        {
            errors.Add("skip must be 0 or more.");
        }

        if (take is < 1 or > 1000)
        {
            errors.Add("take must be between 1 and 1000.");
        }

        InstanceCursor? after = null;
        if (Value("cursor") is { } cursor)
        {
            if (InstanceCursor.TryParse(cursor, out var parsed))
            {
                after = parsed;
            }
            else
            {
                errors.Add($"cursor '{cursor}' is not a cursor returned as 'next' by this list.");
            }

            if (skip > 0)
            {
                errors.Add("skip cannot be combined with cursor; the cursor already says where the page starts.");
            }
        }

        if (errors.Count > 0)
        {
            return ApiProblems.BadRequest("Invalid query.", string.Join(" ", errors), errors);
        }

        var (items, next) = await runtime.ListInstancesAsync(filter, after, skip, take, cancellationToken);
        return TypedResults.Ok(new InstancePage(items, skip, take) { Next = next?.ToString() });
    }

    private static int Number(string? value, string name, int fallback, List<string> errors)
    {
        if (value is null)
        {
            return fallback;
        }

        if (int.TryParse(value, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var number))
        {
            return number;
        }

        errors.Add($"{name} '{value}' is not a whole number.");
        return fallback;
    }

    private static async Task<IResult> GetAsync(string id, WorkflowRuntime runtime, CancellationToken cancellationToken) =>
        await runtime.GetInstanceAsync(id, cancellationToken) is { } view ? TypedResults.Ok(view) : ApiProblems.InstanceNotFound(id);

    private static async Task<IResult> JournalAsync(string id, long? after, WorkflowRuntime runtime, CancellationToken cancellationToken)
    {
        if (await runtime.GetStatusAsync(id, cancellationToken) is null)
        {
            return ApiProblems.InstanceNotFound(id);
        }

        return TypedResults.Ok(await runtime.GetJournalAsync(id, Math.Max(0, after ?? 0), cancellationToken));
    }

    private static async Task<IResult> CancelAsync(string id, WorkflowRuntime runtime, CancellationToken cancellationToken)
    {
        if (await runtime.GetStatusAsync(id, cancellationToken) is not { } status)
        {
            return ApiProblems.InstanceNotFound(id);
        }

        if (status != InstanceStatus.Running || !await runtime.CancelAsync(id, cancellationToken))
        {
            var now = await runtime.GetStatusAsync(id, cancellationToken);
            return ApiProblems.Conflict($"Instance '{id}' is {now}; only a running instance can be cancelled.");
        }

        return TypedResults.Ok(await runtime.GetInstanceAsync(id, cancellationToken));
    }
}

/// <summary>One page of instances (without node states; GET one instance for those).</summary>
public sealed record InstancePage(IReadOnlyList<InstanceView> Items, int Skip, int Take)
{
    /// <summary>Pass as <c>cursor</c> for the next page; null on the last page.</summary>
    public string? Next { get; init; }
}
