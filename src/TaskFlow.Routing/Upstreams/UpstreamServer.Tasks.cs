using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;

namespace TaskFlow.Routing.Upstreams;

/// <summary>
/// MCP tasks (protocol revision 2025-11-25): a task-augmented <c>tools/call</c> makes a task whose
/// state lives in the server process that answered it, so everything about that task (<c>tasks/get</c>,
/// <c>tasks/result</c>, <c>tasks/cancel</c>) is sent on that same session, which is kept open while
/// the task is held. The SDK has no typed model for tasks, so the requests go as they are.
/// </summary>
internal sealed partial class UpstreamServer
{
    public const string TaskStatusNotification = "notifications/tasks/status";

    private volatile ProgressTrackingTransport? _lastTransport;

    /// <summary>What the server said of tasks (<c>capabilities.tasks</c>) when it last connected; null when it offers none.</summary>
    public JsonObject? TasksCapability => _lastTransport?.TasksCapability;

    /// <summary>A tool's <c>execution</c> as the server lists it (<c>taskSupport</c>); null when it says nothing.</summary>
    public JsonObject? ExecutionOf(string tool) => _lastTransport?.ToolExecutions.GetValueOrDefault(tool);

    /// <summary>Raised for each <c>notifications/tasks/status</c> the server sends, with the session it came on.</summary>
    public event Action<UpstreamServer, UpstreamConnection, JsonObject>? TaskStatus;

    /// <summary>
    /// Sends a task-augmented <c>tools/call</c> (its <paramref name="parameters"/> as they are, with
    /// <c>task</c>) on the session of <paramref name="session"/> (or the pool), and holds that
    /// connection for the task. Answers the server's result: a task, or, from a server that ran the
    /// call at once, the call's result.
    /// </summary>
    public async Task<(UpstreamConnection Connection, JsonNode? Result)> StartTaskAsync(string? session, JsonObject parameters, CancellationToken cancellationToken)
    {
        var (connection, started) = session is null ? await AcquireAsync(cancellationToken) : await AcquirePinnedAsync(session, cancellationToken);
        try
        {
            var response = await connection.Client.SendRequestAsync(new JsonRpcRequest { Method = RequestMethods.ToolsCall, Params = parameters }, cancellationToken);
            return (connection, response.Result);
        }
        catch (Exception ex) when (IsTransportFailure(ex, cancellationToken) && EndsConnection(ex))
        {
            throw Lost(connection, ex);
        }
        finally
        {
            Release(connection, started);
        }
    }

    /// <summary>Sends a request about a task on the session that holds it; fails naming the loss when that session has ended (the task ended with it).</summary>
    public async Task<JsonNode?> SendOnAsync(UpstreamConnection connection, string method, JsonNode? parameters, CancellationToken cancellationToken)
    {
        if (connection.IsBroken)
        {
            throw new McpRoutingException($"Server '{Name}' lost the session its task was made on (the process ended or was restarted), and the task with it.");
        }

        var response = await connection.Client.SendRequestAsync(new JsonRpcRequest { Method = method, Params = parameters }, cancellationToken);
        return response.Result;
    }

    private void OnTaskStatus(UpstreamConnection connection, JsonObject status) => TaskStatus?.Invoke(this, connection, status);

    /// <summary>The <c>_meta</c> key that ties a request to a task.</summary>
    public const string RelatedTaskMeta = "io.modelcontextprotocol/related-task";

    /// <summary>Finds the client of a task the server made on a session (and the task's id as that client knows it); set by the gateway.</summary>
    public Func<UpstreamConnection, string, (IDownstreamClient Client, string TaskId)?>? TaskClients { get; set; }

    /// <summary>The client a server's request about a task (its related-task <c>_meta</c>) belongs to, if the gateway holds that task.</summary>
    private (IDownstreamClient Client, string TaskId)? TaskClient(UpstreamConnection? connection, JsonObject? meta) =>
        connection is not null && meta?[RelatedTaskMeta]?["taskId"] is JsonValue id && id.GetValueKind() == System.Text.Json.JsonValueKind.String
            ? TaskClients?.Invoke(connection, id.GetValue<string>())
            : null;

    /// <summary>A request's parameters with the related task named by the id its client knows.</summary>
    private static T WithTaskId<T>(T request, string taskId)
        where T : RequestParams
    {
        if (request.Meta?[RelatedTaskMeta] is JsonObject related)
        {
            related["taskId"] = taskId;
        }

        return request;
    }
}
