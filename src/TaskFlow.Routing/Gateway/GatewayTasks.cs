using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using TaskFlow.Routing.Upstreams;

namespace TaskFlow.Routing.Gateway;

/// <summary>
/// MCP tasks through the gateway (protocol revision 2025-11-25): a client's task-augmented
/// <c>tools/call</c> goes to the server that owns the tool, and the task it makes gets a gateway
/// id, <c>{server}.{32 hex digits}</c>, so ids of different servers never collide and no client
/// can guess another's. <c>tasks/get</c>, <c>tasks/result</c>, <c>tasks/cancel</c> (and any other
/// <c>tasks/*</c> request naming a <c>taskId</c>) go to the server session the task was made on,
/// with the server's own id; <c>tasks/list</c> lists the caller's tasks only; and a server's
/// <c>notifications/tasks/status</c> reaches only the client whose task it is. Every <c>taskId</c> in
/// an answer (including the related-task <c>_meta</c> of a result) is given back under its gateway id.
/// </summary>
/// <remarks>
/// A task lives in the server process that made it, so the gateway keeps that session open while
/// the task is held: until its result has been fetched, it is cancelled, its time to live passes,
/// or its client's session ends. A server's sampling or elicitation request about a task goes to
/// the task's client. A task is served by the TaskFlow process that made it. A call
/// through a routing rule makes its task on the rule's first server. The SDK this gateway is built
/// on has no model of tasks, so these requests are handled as JSON, before the SDK's handlers.
/// </remarks>
internal sealed class GatewayTasks
{
    private const string ListMethod = "tasks/list";
    private const string ResultMethod = "tasks/result";
    private const string CancelMethod = "tasks/cancel";
    private static readonly TimeSpan DefaultHold = TimeSpan.FromHours(1);

    private readonly McpRouter _router;
    private readonly McpGateway _gateway;
    private readonly McpGatewaySessions _sessions;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, HeldTask> _byId = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(UpstreamConnection Connection, string UpstreamId), HeldTask> _byUpstream = new();

    public GatewayTasks(McpRouter router, McpGateway gateway, McpGatewaySessions sessions, TimeProvider? time = null)
    {
        _router = router;
        _gateway = gateway;
        _sessions = sessions;
        _time = time ?? TimeProvider.System;
        foreach (var server in router.Servers)
        {
            server.TaskStatus += OnTaskStatus;
            server.TaskClients = ClientOf;
        }

        sessions.SessionEnded += OnSessionEnded;
    }

    /// <summary>Tasks held now.</summary>
    public int Count => _byId.Count;

    /// <summary>Whether the gateway answers this request itself: a <c>tasks/*</c> request, or a <c>tools/call</c> that asks for a task.</summary>
    public static bool Handles(JsonRpcRequest request) =>
        request.Method.StartsWith("tasks/", StringComparison.Ordinal)
        || (request.Method == RequestMethods.ToolsCall && request.Params is JsonObject parameters && parameters["task"] is JsonObject);

    public async Task<JsonNode?> HandleAsync(string? session, JsonRpcRequest request, CancellationToken cancellationToken)
    {
        Prune();
        var parameters = request.Params as JsonObject;
        if (request.Method == RequestMethods.ToolsCall)
        {
            return await StartAsync(session, parameters!, cancellationToken);
        }

        if (request.Method == ListMethod)
        {
            return await ListAsync(session, cancellationToken);
        }

        var id = parameters?["taskId"] is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;
        if (id is null)
        {
            throw new McpProtocolException($"{request.Method} needs params.taskId.", McpErrorCode.InvalidParams);
        }

        if (!_byId.TryGetValue(id, out var task) || task.Session != session)
        {
            throw new McpProtocolException($"Unknown task '{id}': the gateway holds no task of that id for this client (it may have expired, or been made through another TaskFlow process).", McpErrorCode.InvalidParams);
        }

        var forwarded = (JsonObject)parameters!.DeepClone();
        forwarded["taskId"] = task.UpstreamId;
        var answer = await ForwardAsync(() => task.Server.SendOnAsync(task.Connection, request.Method, forwarded, cancellationToken));
        Rename(answer, task.Connection);
        if (request.Method is ResultMethod or CancelMethod)
        {
            // The result has been handed over, or the task called off: the server's session need not be kept for it.
            Drop(task);
        }

        return answer;
    }

    // The clients' initialize and tools/list requests, by session and id: only their answers are
    // annotated, so no other answer (a tool call's) is looked into on its way out.
    private readonly ConcurrentDictionary<(string? Session, RequestId Id), string> _annotated = new();

    /// <summary>Notes a client's request whose answer <see cref="Annotate"/> completes.</summary>
    public void Watch(string? session, JsonRpcRequest request)
    {
        if (request.Method is RequestMethods.Initialize or RequestMethods.ToolsList)
        {
            _annotated[(session, request.Id)] = request.Method;
        }
    }

    /// <summary>
    /// Adds what the SDK's model leaves out to the gateway's answers: <c>capabilities.tasks</c> (the
    /// union of what the servers offer) to the initialize answer, and each tool's <c>execution</c>
    /// (its <c>taskSupport</c>) to tool listings.
    /// </summary>
    public void Annotate(string? session, JsonRpcMessageWithId answer)
    {
        if (_annotated.IsEmpty || !_annotated.TryRemove((session, answer.Id), out var method) || answer is not JsonRpcResponse { Result: JsonObject result })
        {
            return;
        }

        if (method == RequestMethods.Initialize && result["capabilities"] is JsonObject capabilities)
        {
            if (OfferedTasks() is { } tasks)
            {
                capabilities["tasks"] = tasks;
            }
        }
        else if (method == RequestMethods.ToolsList && result["tools"] is JsonArray tools)
        {
            foreach (var tool in tools.OfType<JsonObject>())
            {
                if (tool["name"] is JsonValue name && name.GetValueKind() == JsonValueKind.String
                    && _gateway.CachedTarget(name.GetValue<string>()) is { } target
                    && _router.ServerNamed(target.Rule?.Servers[0] ?? target.Server)?.ExecutionOf(target.Tool) is { } execution)
                {
                    tool["execution"] = execution.DeepClone();
                }
            }
        }
    }

    /// <summary>The union of the servers' <c>capabilities.tasks</c>; null when none offers tasks.</summary>
    public JsonObject? OfferedTasks()
    {
        JsonObject? union = null;
        foreach (var server in _router.Servers)
        {
            if (server.TasksCapability is { } offered)
            {
                union ??= [];
                Merge(union, offered);
            }
        }

        return union;
    }

    private async Task<JsonNode?> StartAsync(string? session, JsonObject parameters, CancellationToken cancellationToken)
    {
        var name = parameters["name"] is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;
        if (name is null || await _gateway.TargetOfAsync(name, cancellationToken) is not { } target)
        {
            throw new McpProtocolException($"Unknown tool '{name}': no server of the fleet offers it.", McpErrorCode.InvalidParams);
        }

        var server = _router.ServerNamed(target.Server)!;
        if (server.TasksCapability is null)
        {
            throw new McpProtocolException($"Tool '{name}' was called as a task, but its server '{target.Server}' does not support tasks; call it without params.task.", McpErrorCode.InvalidParams);
        }

        var forwarded = (JsonObject)parameters.DeepClone();
        forwarded["name"] = target.Tool;
        var (connection, answer) = await ForwardAsync(() => server.StartTaskAsync(session, forwarded, cancellationToken));
        if (answer is JsonObject result && result["task"] is JsonObject task && task["taskId"] is JsonValue upstreamId && upstreamId.GetValueKind() == JsonValueKind.String)
        {
            var ttl = task["ttl"] is JsonValue t && t.GetValueKind() == JsonValueKind.Number ? TimeSpan.FromMilliseconds(t.GetValue<double>()) : DefaultHold;
            var held = new HeldTask($"{target.Server}.{Guid.NewGuid():N}", server, connection, upstreamId.GetValue<string>(), session, _time.GetUtcNow() + ttl + TimeSpan.FromMinutes(1));
            connection.HoldTask();
            _byId[held.Id] = held;
            _byUpstream[(connection, held.UpstreamId)] = held;
            task["taskId"] = held.Id;
        }

        return answer;
    }

    private async Task<JsonNode?> ListAsync(string? session, CancellationToken cancellationToken)
    {
        var mine = _byId.Values.Where(t => t.Session == session).ToList();
        var listed = new JsonArray();
        foreach (var group in mine.GroupBy(t => t.Connection))
        {
            var first = group.First();
            if (first.Connection.IsBroken)
            {
                continue;
            }

            string? cursor = null;
            var pages = 0;
            do
            {
                var page = await ForwardAsync(() => first.Server.SendOnAsync(first.Connection, ListMethod, cursor is null ? new JsonObject() : new JsonObject { ["cursor"] = cursor }, cancellationToken)) as JsonObject;
                foreach (var task in (page?["tasks"] as JsonArray ?? []).OfType<JsonObject>())
                {
                    if (task["taskId"] is JsonValue id && id.GetValueKind() == JsonValueKind.String
                        && _byUpstream.TryGetValue((first.Connection, id.GetValue<string>()), out var held) && held.Session == session)
                    {
                        var copy = (JsonObject)task.DeepClone();
                        copy["taskId"] = held.Id;
                        listed.Add(copy);
                    }
                }

                cursor = page?["nextCursor"] is JsonValue next && next.GetValueKind() == JsonValueKind.String ? next.GetValue<string>() : null;
            }
            while (cursor is not null && ++pages < 100);
        }

        return new JsonObject { ["tasks"] = listed };
    }

    /// <summary>Gives every <c>taskId</c> in an answer its gateway id (the answer's own, and those in related-task <c>_meta</c>).</summary>
    private void Rename(JsonNode? node, UpstreamConnection connection)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, child) in obj.ToList())
                {
                    if (key == "taskId" && child is JsonValue value && value.GetValueKind() == JsonValueKind.String
                        && _byUpstream.TryGetValue((connection, value.GetValue<string>()), out var held))
                    {
                        obj["taskId"] = held.Id;
                    }
                    else
                    {
                        Rename(child, connection);
                    }
                }

                break;
            case JsonArray array:
                foreach (var child in array)
                {
                    Rename(child, connection);
                }

                break;
        }
    }

    private void OnTaskStatus(UpstreamServer server, UpstreamConnection connection, JsonObject status)
    {
        if (status["taskId"] is not JsonValue id || id.GetValueKind() != JsonValueKind.String
            || !_byUpstream.TryGetValue((connection, id.GetValue<string>()), out var held) || held.Session is not { } session)
        {
            return;
        }

        var forwarded = (JsonObject)status.DeepClone();
        forwarded["taskId"] = held.Id;
        _ = _sessions.NotifyAsync(session, UpstreamServer.TaskStatusNotification, forwarded);
    }

    /// <summary>
    /// The client of a held task and the task's gateway id: a server's sampling or elicitation
    /// request about the task (an <c>input_required</c> task asking while its client waits on
    /// <c>tasks/result</c>) goes to that client's session.
    /// </summary>
    private (IDownstreamClient Client, string TaskId)? ClientOf(UpstreamConnection connection, string upstreamId) =>
        _byUpstream.TryGetValue((connection, upstreamId), out var held) && held.Session is { } session && _sessions.ClientOf(session) is { } client
            ? (client, held.Id)
            : null;

    private void OnSessionEnded(string session)
    {
        foreach (var task in _byId.Values.Where(t => t.Session == session))
        {
            Drop(task);
        }
    }

    /// <summary>Lets go of tasks whose time to live (and a minute more) has passed, and of those whose server session ended.</summary>
    private void Prune()
    {
        var now = _time.GetUtcNow();
        foreach (var task in _byId.Values)
        {
            if (task.ExpiresAt < now || task.Connection.IsBroken)
            {
                Drop(task);
            }
        }
    }

    private void Drop(HeldTask task)
    {
        if (_byId.TryRemove(task.Id, out _))
        {
            _byUpstream.TryRemove((task.Connection, task.UpstreamId), out _);
            task.Connection.ReleaseTask();
        }
    }

    private static void Merge(JsonObject into, JsonObject from)
    {
        foreach (var (key, value) in from)
        {
            if (value is JsonObject child && into[key] is JsonObject existing)
            {
                Merge(existing, child);
            }
            else if (!into.ContainsKey(key))
            {
                into[key] = value?.DeepClone();
            }
        }
    }

    /// <summary>A request the router could not carry out is an internal error to the client, with the router's reason; the server's own errors pass as they are.</summary>
    private static async Task<T> ForwardAsync<T>(Func<Task<T>> request)
    {
        try
        {
            return await request();
        }
        catch (McpRoutingException ex)
        {
            throw new McpProtocolException(ex.Message, McpErrorCode.InternalError);
        }
    }

    private sealed record HeldTask(string Id, UpstreamServer Server, UpstreamConnection Connection, string UpstreamId, string? Session, DateTimeOffset ExpiresAt);
}
