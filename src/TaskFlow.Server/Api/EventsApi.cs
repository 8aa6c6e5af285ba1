using System.Text.Json;
using System.Text.Json.Nodes;
using TaskFlow.Core.Events;
using TaskFlow.Engine.Events;
using TaskFlow.Engine.Persistence;
using TaskFlow.Engine.Runtime;
using TaskFlow.Server.Auth;
using TaskFlow.Server.Audit;

namespace TaskFlow.Server.Api;

/// <summary>
/// External events: <c>POST /api/events/{name}</c> resumes the nodes waiting for it,
/// <c>POST /api/resume/{token}</c> resumes the one node holding that token (no API key: the token
/// is the credential), <c>GET /api/events/waiting</c> lists the nodes waiting.
/// </summary>
internal static class EventsApi
{
    private const int MaxWaitingTake = 500;

    public static void MapEventsApi(this IEndpointRouteBuilder app)
    {
        // No Accepts<> metadata: routing would answer a wrong content type with a bare 415, before
        // the handler can say which content type to send.
        app.MapPost("/api/events/{name}", DeliverAsync)
            .Audited("event.deliver")
            .WithTags("Events")
            .RequireRole(ApiRole.Operator)
            .WithSummary("Delivers an event: every node waiting for this name (and correlation, and instance, when given) is resumed exactly once with the payload as its output. Body: { \"correlation\": \"...\", \"instanceId\": \"...\", \"payload\": any }, all optional. Matching nothing: 202 when a published definition takes earlier events of this name (kept), else 404 (dropped).")
            .Produces<EventDelivered>()
            .Produces<EventDelivered>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);

        app.MapPost("/api/resume/{token}", ResumeAsync)
            .Audited("wait.resume")
            .WithTags("Events")
            .WithSummary("Resumes the waiting node that holds this single-use token; the body (any JSON, optional) is its output. Needs no API key: the token is the credential.")
            .AllowAnonymous()
            .Produces<ResumedWait>()
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);

        app.MapGet("/api/events/waiting", ListWaitingAsync)
            .WithTags("Events")
            .WithSummary("Nodes waiting for an event, oldest first, each with its resume URL; filter by instanceId and/or name.")
            .Produces<IReadOnlyList<EventWaitingView>>();
    }

    private static async Task<IResult> DeliverAsync(string name, HttpRequest request, EventPublisher publisher, CancellationToken cancellationToken)
    {
        if (NameProblem(name) is { } invalidName)
        {
            return invalidName;
        }

        var (json, problem) = await RequestBody.ReadJsonAsync(request, optional: true);
        if (problem is not null)
        {
            return problem;
        }

        var (delivery, invalid) = EventRequest.Parse(json);
        if (invalid is not null)
        {
            return invalid;
        }

        // Matching nothing, it is kept only when a published definition has an event node that
        // takes earlier events of this name, for the longest such window; otherwise dropped.
        var published = await publisher.PublishAsync(name, delivery.Correlation, delivery.InstanceId, delivery.Payload, cancellationToken);
        if (published.Resumed.Count > 0)
        {
            return TypedResults.Ok(new EventDelivered(name, published.Resumed, null));
        }

        return published.KeptUntil is { } keptUntil
            ? TypedResults.Accepted((string?)null, new EventDelivered(name, [], keptUntil))
            : ApiProblems.NotFound($"No node waits for event '{name}'{Describe(delivery)}, and no published definition takes it earlier ('earlier' on an event node); the event was dropped.");
    }

    private static async Task<IResult> ResumeAsync(string token, HttpRequest request, EngineStore store, CancellationToken cancellationToken)
    {
        var (json, problem) = await RequestBody.ReadJsonAsync(request, optional: true);
        if (problem is not null)
        {
            return problem;
        }

        JsonNode? payload = null;
        if (json.Length > 0)
        {
            try
            {
                payload = JsonNode.Parse(json);
            }
            catch (JsonException ex)
            {
                return RequestBody.Malformed(ex);
            }
        }

        // Unknown and used tokens get the same answer, so the answer tells a guesser nothing.
        return token.Length > 100 || await store.ResumeByTokenAsync(token, payload, cancellationToken) is not { } resumed
            ? ApiProblems.NotFound("The resume token is unknown or was already used (a token resumes its node once).")
            : TypedResults.Ok(resumed);
    }

    private static async Task<IResult> ListWaitingAsync(string? instanceId, string? name, int? take, HttpRequest request, EngineStore store, CancellationToken cancellationToken)
    {
        if (take is < 1 or > MaxWaitingTake)
        {
            return ApiProblems.BadRequest("Invalid take.", $"take must be from 1 to {MaxWaitingTake}.");
        }

        var waits = await store.ListWaitsAsync(instanceId, name, take ?? 100, cancellationToken);
        var root = $"{request.Scheme}://{request.Host}{request.PathBase}";
        return TypedResults.Ok(waits.Select(w => new EventWaitingView(w.InstanceId, w.NodeId, w.Name, w.Correlation, w.Since, $"{root}/api/resume/{w.Token}")).ToArray());
    }

    private static IResult? NameProblem(string name) =>
        EventNames.Problem(name) is { } problem ? ApiProblems.BadRequest("Invalid event name.", problem) : null;

    private static string Describe(EventRequest delivery) =>
        (delivery.Correlation is null ? "" : $" with correlation '{delivery.Correlation}'")
        + (delivery.InstanceId is null ? "" : $" in instance '{delivery.InstanceId}'");
}

/// <summary>What an event resumed; when it resumed nothing and was kept, until when.</summary>
public sealed record EventDelivered(string Name, IReadOnlyList<ResumedWait> Resumed, DateTimeOffset? KeptUntil);

/// <summary>A node waiting for an event; <see cref="ResumeUrl"/> resumes it once, without an API key.</summary>
public sealed record EventWaitingView(string InstanceId, string NodeId, string Name, string? Correlation, DateTimeOffset Since, string ResumeUrl);
