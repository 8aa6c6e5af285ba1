using System.Security.Claims;
using System.Text.Json.Nodes;
using TaskFlow.Engine.Persistence;

namespace TaskFlow.Server.Audit;

/// <summary>
/// Records every request that may change something (any method but GET, HEAD and OPTIONS) that
/// reached a route: who asked (the API key's name and role; a resume URL's caller is
/// <c>resume-url</c>, an HTTP trigger's caller without a key <c>anonymous</c>), the action (the route's <see cref="AuditAction"/>, else its method and
/// pattern), the target (the route's <c>id</c>, <c>name</c> or trigger <c>path</c>), the HTTP status it ended with
/// (a refused role, 403, is recorded too) and the route values. A request without a valid key
/// (401) is not: it has no one to name. The entry is written after the response, so a failed
/// write costs the caller nothing; it is logged.
/// </summary>
internal sealed partial class AuditMiddleware(RequestDelegate next, EngineStore store, ILogger<AuditMiddleware> logger)
{
    /// <summary>The <see cref="HttpContext.Items"/> key under which an endpoint that authenticates its callers itself names the caller.</summary>
    public const string ActorItem = "taskflow.audit.actor";

    public async Task InvokeAsync(HttpContext context)
    {
        await next(context);
        var method = context.Request.Method;
        if (HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || context.Response.StatusCode == StatusCodes.Status401Unauthorized)
        {
            return;
        }

        if (context.GetEndpoint() is not RouteEndpoint endpoint)
        {
            return;
        }

        var named = endpoint.Metadata.GetMetadata<AuditAction>();
        if (named is { Name: null })
        {
            return;
        }

        var user = context.User;
        var anonymous = user.Identity?.IsAuthenticated != true;
        var action = named?.Name ?? $"{method} {endpoint.RoutePattern.RawText}";

        // Without a key: a resume URL's caller, or an HTTP trigger's (its key's name, its declared
        // identity, signed:PATH or anonymous, as the trigger's endpoint says).
        var actor = context.Items[ActorItem] as string
            ?? (!anonymous ? user.Identity!.Name ?? "unknown" : action == "wait.resume" ? "resume-url" : "anonymous");
        var values = context.Request.RouteValues;
        var target = (values.TryGetValue("id", out var id) ? id : values.TryGetValue("name", out var name) ? name : values.TryGetValue("path", out var path) ? path : null)?.ToString();
        var detail = new JsonObject();
        foreach (var (key, value) in values)
        {
            // A resume token is a credential: never written down.
            if (key is not "token" && value is not null)
            {
                detail[key] = value.ToString();
            }
        }

        try
        {
            await store.AppendAuditAsync(actor, user.FindFirstValue(ClaimTypes.Role), action, target, context.Response.StatusCode, detail.Count == 0 ? null : detail.ToJsonString(), CancellationToken.None);
        }
        catch (Exception ex)
        {
            NotRecorded(logger, action, actor, ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The audit trail did not record {Action} by {Actor}: {Reason}")]
    private static partial void NotRecorded(ILogger logger, string action, string actor, string reason);
}
