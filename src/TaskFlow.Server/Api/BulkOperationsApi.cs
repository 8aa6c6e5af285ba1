using System.Text.Json;
using System.Text.Json.Nodes;
using TaskFlow.Engine.BulkOperations;
using TaskFlow.Engine.Instances;
using TaskFlow.Server.Auth;

namespace TaskFlow.Server.Api;

/// <summary>
/// <c>POST /api/instances/bulk/{cancel|retry|delete}</c> starts a background operation on the
/// instances a filter matches (or a list of ids) and answers 202 with its id;
/// <c>GET /api/instances/bulk/{operationId}</c> reports its progress and a result per instance.
/// </summary>
internal static class BulkOperationsApi
{
    public static void MapBulkOperationsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/instances/bulk").WithTags("Instances");
        group.MapPost("/{kind}", StartAsync)
            .RequireRole(ApiRole.Operator)
            .WithSummary("Starts cancel, retry (failed nodes) or delete on many instances in the background. Body: { \"filter\": { definition, version, status, correlationId, createdAfter, createdBefore, finishedAfter, finishedBefore, q } } or { \"ids\": [...] }; an empty filter needs \"all\": true.")
            .Accepts<BulkOperationRequest>("application/json")
            .Produces<BulkOperationAccepted>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{operationId}", GetAsync)
            .WithSummary("A bulk operation's progress and counts, with a result per instance (done, skipped or failed with the reason) unless results=false.")
            .Produces<BulkOperationView>().ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<IResult> StartAsync(string kind, HttpRequest request, BulkOperations operations, CancellationToken cancellationToken)
    {
        if (!TryKind(kind, out var operationKind))
        {
            return ApiProblems.NotFound($"There is no bulk operation '{kind}'; use cancel, retry or delete.");
        }

        var (json, problem) = await RequestBody.ReadJsonAsync(request, optional: false);
        if (problem is not null)
        {
            return problem;
        }

        JsonNode? body;
        try
        {
            body = JsonNode.Parse(json);
        }
        catch (JsonException ex)
        {
            return RequestBody.Malformed(ex);
        }

        var (target, errors) = Parse(body, operationKind);
        if (errors.Count > 0)
        {
            return ApiProblems.BadRequest("Invalid bulk operation.", string.Join(" ", errors), errors);
        }

        string id;
        try
        {
            id = target.Ids is { } ids
                ? await operations.StartAsync(operationKind, ids, cancellationToken)
                : await operations.StartAsync(operationKind, target.Filter!, cancellationToken);
        }
        catch (BulkOperationException ex)
        {
            return ApiProblems.BadRequest("Invalid bulk operation.", ex.Message);
        }

        return TypedResults.Accepted($"/api/instances/bulk/{id}", new BulkOperationAccepted(id, operationKind));
    }

    private static async Task<IResult> GetAsync(string operationId, bool? results, BulkOperations operations, CancellationToken cancellationToken) =>
        await operations.GetAsync(operationId, results ?? true, cancellationToken) is { } view
            ? TypedResults.Ok(view)
            : ApiProblems.NotFound($"Bulk operation '{operationId}' does not exist.");

    private static bool TryKind(string kind, out BulkOperationKind parsed) =>
        Enum.TryParse(kind, ignoreCase: true, out parsed) && Enum.IsDefined(parsed) && !char.IsAsciiDigit(kind.FirstOrDefault());

    private static ((InstanceFilter? Filter, IReadOnlyList<string>? Ids) Target, List<string> Errors) Parse(JsonNode? body, BulkOperationKind kind)
    {
        var errors = new List<string>();
        if (body is not JsonObject root)
        {
            errors.Add("The body must be a JSON object: { \"filter\": {...} } or { \"ids\": [...] }.");
            return ((null, null), errors);
        }

        errors.AddRange(root.Where(p => p.Key is not ("filter" or "ids" or "all")).Select(p => $"Unknown member '{p.Key}'; expected 'filter', 'ids' or 'all'."));
        var all = root["all"] is JsonValue a && a.TryGetValue<bool>(out var flag) && flag;
        if (root["all"] is { } allNode && !(allNode is JsonValue v && v.TryGetValue<bool>(out _)))
        {
            errors.Add("'all' must be true or false.");
        }

        if (root["ids"] is { } idsNode)
        {
            if (root.ContainsKey("filter"))
            {
                errors.Add("Give either 'filter' or 'ids', not both.");
            }

            if (idsNode is not JsonArray array || array.Count == 0 || array.Any(i => i is not JsonValue iv || !iv.TryGetValue<string>(out var s) || s.Length == 0))
            {
                errors.Add("'ids' must be a non-empty array of instance ids (strings).");
                return ((null, null), errors);
            }

            return ((null, array.Select(i => i!.GetValue<string>()).ToArray()), errors);
        }

        var filterNode = root["filter"];
        if (filterNode is not (null or JsonObject))
        {
            errors.Add("'filter' must be a JSON object.");
            return ((null, null), errors);
        }

        var members = (JsonObject?)filterNode ?? [];
        errors.AddRange(members.Where(p => !InstanceFilterParser.Names.Contains(p.Key, StringComparer.Ordinal))
            .Select(p => $"Unknown filter member '{p.Key}'; expected {string.Join(", ", InstanceFilterParser.Names)}."));
        var filter = InstanceFilterParser.Parse(name => members[name] switch
        {
            null => null,
            JsonValue value when value.TryGetValue<string>(out var text) => text,
            var other => other.ToJsonString(),
        }, errors);

        if (filter.IsEmpty && !all)
        {
            errors.Add($"The filter is empty, so the {kind.ToString().ToLowerInvariant()} would cover every instance; narrow the filter, or send \"all\": true to mean it.");
        }

        return ((filter, null), errors);
    }
}

/// <summary>The body of a bulk operation: a filter (as for the instance list) or a list of ids.</summary>
public sealed record BulkOperationRequest(JsonObject? Filter, string[]? Ids, bool? All);

/// <summary>Answer to a started bulk operation: its id (also in the Location header).</summary>
public sealed record BulkOperationAccepted(string Id, BulkOperationKind Kind);
