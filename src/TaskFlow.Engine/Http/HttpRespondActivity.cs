using System.Text.Json.Nodes;
using TaskFlow.Core.Activities;
using TaskFlow.Engine.Activities;
using TaskFlow.Engine.Persistence;

namespace TaskFlow.Engine.Http;

/// <summary>
/// Answers the caller of the <c>http</c> trigger that started the instance. The response is this
/// node's output (<c>{ status, headers, body, contentType }</c>), which the server holding the
/// request reads from the database, so the worker and the caller's server may be different
/// processes. An instance answers once: the first <c>http.respond</c> claims the answer, a later
/// one fails naming it. In a run with no waiting caller (started by the API, or the caller gone)
/// the node succeeds all the same, and its output records what would have been sent.
/// </summary>
[Activity(Type, Category = "Integration", Description = "Answers the HTTP request that started the workflow (an http trigger): status, headers and body (templates). Once per instance: a second http.respond fails. Without a waiting caller the response is only recorded in the output.")]
internal sealed class HttpRespondActivity(EngineStore store) : Activity<HttpRespondInputs>
{
    public const string Type = Core.HttpTriggers.HttpRespondNode.Type;

    // Headers the server sets itself; a workflow setting them would produce a broken response.
    private static readonly string[] ReservedHeaders = ["Content-Length", "Transfer-Encoding", "Connection", "Content-Type"];

    protected override async ValueTask<ActivityResult> ExecuteAsync(HttpRespondInputs inputs, ActivityContext context)
    {
        if (inputs.Status is < 100 or > 599)
        {
            return ActivityResult.Failed($"'status' is {inputs.Status}; use an HTTP status code from 100 to 599.", retryable: false);
        }

        var headers = new JsonObject();
        foreach (var (name, value) in inputs.Headers ?? [])
        {
            if (ReservedHeaders.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                return ActivityResult.Failed($"Header '{name}' is set by the server; use 'contentType' for the content type and leave out the others.", retryable: false);
            }

            headers[name] = value?.ToString() ?? "";
        }

        if (await store.ClaimHttpResponseAsync(context.InstanceId, context.NodeId, context.CancellationToken) is { } first)
        {
            return ActivityResult.Failed($"The HTTP response was already sent by node '{first}'; an instance answers its caller once.", retryable: false);
        }

        var contentType = inputs.ContentType ?? inputs.Body switch
        {
            null => null,
            JsonValue v when v.TryGetValue<string>(out _) => "text/plain; charset=utf-8",
            _ => "application/json",
        };
        return ActivityResult.Succeeded(new JsonObject
        {
            ["status"] = inputs.Status,
            ["headers"] = headers,
            ["contentType"] = contentType,
            ["body"] = inputs.Body?.DeepClone(),
        });
    }
}
