using System.Text;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using TaskFlow.Core.Model;
using TaskFlow.Engine.Persistence;
using TaskFlow.Engine.Runtime;
using TaskFlow.Server.Api;
using TaskFlow.Server.Auth;
using TaskFlow.Server.Audit;

namespace TaskFlow.Server.HttpTriggers;

/// <summary>
/// Serves the published definitions' <c>http</c> triggers at <c>/workflows/{path}</c>: one
/// catch-all endpoint matches the request against <see cref="HttpTriggerRouteTable"/>, checks the
/// trigger's authorization (API key with the operator role, none, or an HMAC signature), starts an
/// instance with the request as its input, and answers from <c>http.respond</c>, with the
/// workflow's output (<c>wait</c>), or 202 with the instance id.
/// </summary>
internal static partial class HttpTriggerEndpoints
{
    public const string Prefix = "/workflows";

    public static void MapHttpTriggers(this IEndpointRouteBuilder app)
    {
        // Anonymous at the routing level: each trigger decides its own authorization below, so a
        // route with "auth": "none" or a signature needs no key; the default still needs one.
        app.MapMethods(Prefix + "/{**path}", [.. Core.HttpTriggers.HttpRoute.AllowedMethods], HandleAsync)
            .WithTags("Workflows")
            .WithSummary("Starts the published workflow whose http trigger serves this path and method; the request (method, route values, query, headers without credentials, body) is its input. Answers from http.respond, with the output when the trigger has wait, else 202 with the instance id.")
            .AllowAnonymous()
            .Audited("workflow.trigger")
            .DisableAntiforgery();
    }

    private static async Task<IResult> HandleAsync(string? path, HttpContext http, HttpTriggerRouteTable table, WorkflowRuntime runtime, HttpTriggerWaiters waiters, IOptions<HttpTriggerOptions> options, IOptions<Hosting.TaskFlowServerOptions> server, TimeProvider time, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var segments = (path ?? "").Split('/', StringSplitOptions.RemoveEmptyEntries);
        var match = table.Match(http.Request.Method, segments, out var allowed);
        if (match is null && table.IsStale)
        {
            // Published a moment ago on another server: look before answering 404.
            await table.RefreshAsync(force: false, cancellationToken);
            match = table.Match(http.Request.Method, segments, out allowed);
        }

        if (match is not { Trigger: var trigger, Values: var values })
        {
            if (allowed.Count > 0)
            {
                http.Response.Headers.Allow = string.Join(", ", allowed);
                return TypedResults.Problem(title: "Method not allowed.", detail: $"{http.Request.Method} is not served at {http.Request.Path}; it takes {string.Join(", ", allowed)}.", statusCode: StatusCodes.Status405MethodNotAllowed);
            }

            return ApiProblems.NotFound($"No published workflow has an http trigger for {http.Request.Method} {http.Request.Path}.");
        }

        if (await AuthorizeKeyAsync(trigger, http) is { } refused)
        {
            return refused;
        }

        var limit = options.Value.MaxBodySize;
        var (body, tooLarge) = await ReadBodyAsync(http, limit);
        if (tooLarge)
        {
            return TypedResults.Problem(title: "Request body too large.", detail: $"The body is larger than the limit of {limit} bytes (TaskFlow:HttpTriggers:MaxBodySize).", statusCode: StatusCodes.Status413PayloadTooLarge);
        }

        var signatureHeader = trigger.Definition.SignatureHeader ?? HttpTriggerSignature.DefaultHeader;
        if (trigger.Auth == "hmac")
        {
            var logger = loggers.CreateLogger(typeof(HttpTriggerEndpoints).FullName!);
            if (!options.Value.Secrets.TryGetValue(trigger.Definition.Secret!, out var secret) || secret.Length == 0)
            {
                SecretMissing(logger, trigger.DefinitionId, trigger.Definition.Secret!);
                return TypedResults.Problem(title: "The trigger's secret is not configured.", detail: $"The server has no secret '{trigger.Definition.Secret}' (TaskFlow:HttpTriggers:Secrets:{trigger.Definition.Secret}); nothing was started.", statusCode: StatusCodes.Status503ServiceUnavailable);
            }

            if (HttpTriggerSignature.Check(http.Request.Headers[signatureHeader], signatureHeader, Encoding.UTF8.GetBytes(secret), body) is { } wrong)
            {
                SignatureRefused(logger, trigger.DefinitionId, http.Request.Path);
                return TypedResults.Problem(title: "Unauthorized.", detail: wrong + " Nothing was started.", statusCode: StatusCodes.Status401Unauthorized);
            }
        }

        // The audit trail's caller without a key: the trigger's declared identity, else what its
        // auth says of the caller.
        if (http.User.Identity?.IsAuthenticated != true)
        {
            http.Items[Audit.AuditMiddleware.ActorItem] = trigger.Definition.Identity ?? (trigger.Auth == "hmac" ? $"signed:{trigger.Definition.Path}" : "anonymous");
        }

        var (input, malformed) = HttpTriggerInput.Create(http.Request, values, body, signatureHeader);
        if (malformed is not null)
        {
            return ApiProblems.BadRequest("Malformed JSON.", malformed + " Nothing was started.");
        }

        foreach (var (name, value) in trigger.Definition.Input ?? [])
        {
            input!.TryAdd(name, value?.DeepClone());
        }

        string instanceId;
        try
        {
            // The caller's X-Correlation-Id, when it sends one, is the run's correlation id.
            var correlation = http.Request.Headers["X-Correlation-Id"].ToString() is { Length: > 0 and <= 200 } given ? given : null;
            (instanceId, _) = await runtime.StartAsync(trigger.DefinitionId, input, trigger.Version, startKey: null, correlation, cancellationToken);
        }
        catch (WorkflowInputException ex)
        {
            return ApiProblems.BadRequest("The input is invalid.", ex.Message, ex.Problems);
        }
        catch (WorkflowNotFoundException)
        {
            await table.RefreshAsync(force: true, cancellationToken);
            return ApiProblems.NotFound($"No published workflow has an http trigger for {http.Request.Method} {http.Request.Path}.");
        }

        var wait = trigger.Definition.Wait is { } w && Duration.TryParse(w, out var span) ? span
            : trigger.RespondNodes.Count > 0 ? options.Value.RespondTimeout
            : TimeSpan.Zero;
        if (wait > server.Value.MaxRunWait)
        {
            wait = server.Value.MaxRunWait;
        }

        return wait <= TimeSpan.Zero
            ? HttpTriggerResponder.Accepted(instanceId)
            : await HttpTriggerResponder.WaitAsync(trigger, instanceId, wait, runtime, waiters, time, cancellationToken);
    }

    // The default: the API key, with the operator role (as starting a run through the API).
    private static async Task<IResult?> AuthorizeKeyAsync(HttpTrigger trigger, HttpContext http)
    {
        if (trigger.Auth != "apiKey")
        {
            return null;
        }

        var result = await http.AuthenticateAsync(ApiKeyDefaults.Scheme);
        if (!result.Succeeded)
        {
            return TypedResults.Problem(title: "Unauthorized.", detail: $"This workflow endpoint needs an API key with the operator role in the {ApiKeyDefaults.Header} header.", statusCode: StatusCodes.Status401Unauthorized);
        }

        // The caller is the key from here on: the audit trail records its name and role.
        http.User = result.Principal;
        var held = RoleForRoute.Held(result.Principal);
        return held is { } role && role.Satisfies(ApiRole.Operator)
            ? null
            : TypedResults.Problem(title: "Forbidden", detail: $"{http.Request.Method} {http.Request.Path} needs the operator role; the key '{result.Principal.Identity?.Name}' has the {held?.Name() ?? "no"} role.", statusCode: StatusCodes.Status403Forbidden);
    }

    // Read whole (a signature covers the raw bytes), at most one byte past the limit.
    private static async Task<(byte[] Body, bool TooLarge)> ReadBodyAsync(HttpContext http, long limit)
    {
        if (http.Request.ContentLength > limit)
        {
            return ([], true);
        }

        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            feature.MaxRequestBodySize = limit + 1;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await http.Request.Body.ReadAsync(chunk, http.RequestAborted)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > limit)
            {
                return ([], true);
            }
        }

        return (buffer.ToArray(), false);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "HTTP trigger of definition {DefinitionId} names secret {Secret}, which is not configured (TaskFlow:HttpTriggers:Secrets).")]
    private static partial void SecretMissing(ILogger logger, string definitionId, string secret);

    [LoggerMessage(Level = LogLevel.Warning, Message = "HTTP trigger of definition {DefinitionId} refused a request to {Path}: wrong or missing signature.")]
    private static partial void SignatureRefused(ILogger logger, string definitionId, string path);
}
