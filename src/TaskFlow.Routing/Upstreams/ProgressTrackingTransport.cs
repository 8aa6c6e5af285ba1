using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace TaskFlow.Routing.Upstreams;

/// <summary>
/// Hands an upstream's progress notifications to the call they belong to as the transport reads
/// them, so every update sent before a call's result reaches the caller before the result does;
/// and keeps what the SDK's typed model of the server's answers drops: what its initialize answer
/// says of tasks (<c>capabilities.tasks</c>), and each tool's <c>execution</c> from its listings.
/// </summary>
/// <remarks>
/// The SDK handles each incoming message on the thread pool, a notification as a work item of its
/// own. A progress notification sent just before the result can therefore be handled after the
/// call has returned and its progress handler is gone; on a busy machine earlier updates can be
/// lost the same way. Reading them here, in the transport's order, closes that window. A
/// notification for a token no tracked call owns passes on to the SDK unchanged.
/// </remarks>
internal sealed class ProgressTrackingTransport(IClientTransport inner) : IClientTransport
{
    private readonly ConcurrentDictionary<ProgressToken, IProgress<ProgressNotificationValue>> _calls = new();
    private long _lastToken;

    public string Name => inner.Name;

    /// <summary>The server's <c>capabilities.tasks</c> from its initialize answer; null when it offers no tasks (or has not answered yet).</summary>
    public JsonObject? TasksCapability { get; private set; }

    /// <summary>Each tool's <c>execution</c> (such as <c>{ "taskSupport": "optional" }</c>) as the server last listed it.</summary>
    public ConcurrentDictionary<string, JsonObject> ToolExecutions { get; } = new(StringComparer.Ordinal);

    // The requests whose answers carry what the typed model drops, by id; only their answers are
    // read, so a tool call's answer is never looked into here.
    private readonly ConcurrentDictionary<RequestId, string> _watched = new();

    private void Watch(JsonRpcMessage message)
    {
        if (message is JsonRpcRequest { Method: RequestMethods.Initialize or RequestMethods.ToolsList } request)
        {
            _watched[request.Id] = request.Method;
        }
    }

    private void Observe(JsonRpcMessageWithId answer)
    {
        if (_watched.IsEmpty || !_watched.TryRemove(answer.Id, out var method) || answer is not JsonRpcResponse { Result: JsonObject result })
        {
            return;
        }

        if (method == RequestMethods.Initialize && result["capabilities"] is JsonObject capabilities)
        {
            TasksCapability = capabilities["tasks"] is JsonObject tasks ? (JsonObject)tasks.DeepClone() : null;
        }
        else if (method == RequestMethods.ToolsList && result["tools"] is JsonArray tools)
        {
            foreach (var tool in tools.OfType<JsonObject>())
            {
                if (tool["name"]?.GetValueKind() == JsonValueKind.String && tool["name"]!.GetValue<string>() is { } name)
                {
                    if (tool["execution"] is JsonObject execution)
                    {
                        ToolExecutions[name] = (JsonObject)execution.DeepClone();
                    }
                    else
                    {
                        ToolExecutions.TryRemove(name, out _);
                    }
                }
            }
        }
    }

    public async Task<ITransport> ConnectAsync(CancellationToken cancellationToken = default) =>
        new Session(await inner.ConnectAsync(cancellationToken), this);

    /// <summary>Routes the progress sent under the returned token to <paramref name="progress"/> until the registration is disposed.</summary>
    public Registration Track(IProgress<ProgressNotificationValue> progress)
    {
        var token = $"taskflow-{Interlocked.Increment(ref _lastToken)}";
        _calls[new ProgressToken(token)] = progress;
        return new Registration(this, token);
    }

    private bool TryDeliver(JsonRpcNotification notification)
    {
        if (_calls.IsEmpty)
        {
            return false;
        }

        ProgressNotificationParams? update;
        try
        {
            update = notification.Params.Deserialize<ProgressNotificationParams>(McpJsonUtilities.DefaultOptions);
        }
        catch (JsonException)
        {
            return false;
        }

        if (update is null || !_calls.TryGetValue(update.ProgressToken, out var progress))
        {
            return false;
        }

        try
        {
            progress.Report(update.Progress);
        }
        catch (Exception)
        {
            // A caller's progress handler must not stop the session's reading.
        }

        return true;
    }

    public readonly struct Registration(ProgressTrackingTransport owner, string token) : IDisposable
    {
        /// <summary>The progress token to send in the request's <c>_meta</c>.</summary>
        public string Token => token;

        public void Dispose() => owner._calls.TryRemove(new ProgressToken(token), out _);
    }

    private sealed class Session(ITransport inner, ProgressTrackingTransport owner) : ITransport
    {
        private readonly Reader _reader = new(inner.MessageReader, owner);

        public string? SessionId => inner.SessionId;

        public ChannelReader<JsonRpcMessage> MessageReader => _reader;

        public Task SendMessageAsync(JsonRpcMessage message, CancellationToken cancellationToken = default)
        {
            owner.Watch(message);
            return inner.SendMessageAsync(message, cancellationToken);
        }

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }

    private sealed class Reader(ChannelReader<JsonRpcMessage> inner, ProgressTrackingTransport owner) : ChannelReader<JsonRpcMessage>
    {
        public override Task Completion => inner.Completion;

        public override bool TryRead([MaybeNullWhen(false)] out JsonRpcMessage item)
        {
            while (inner.TryRead(out item))
            {
                if (item is JsonRpcNotification { Method: NotificationMethods.ProgressNotification } notification && owner.TryDeliver(notification))
                {
                    continue;
                }

                if (item is JsonRpcMessageWithId answer)
                {
                    owner.Observe(answer);
                }

                return true;
            }

            return false;
        }

        public override ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default) =>
            inner.WaitToReadAsync(cancellationToken);
    }
}
