using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace TaskFlow.Routing.Gateway;

public static class McpGatewayServerExtensions
{
    /// <summary>
    /// Adds an MCP server whose tools are the fleet's (see <see cref="McpGateway"/>); pick its
    /// transport on the returned builder (<c>WithHttpTransport</c>, <c>WithStdioServerTransport</c>).
    /// Calls carry their progress back to the caller, and a change in an upstream's tools is
    /// announced to every connected session with <c>notifications/tools/list_changed</c>.
    /// </summary>
    public static IMcpServerBuilder AddTaskFlowGateway(this IServiceCollection services)
    {
        services.TryAddSingleton(s => new McpGatewaySessions(s.GetRequiredService<McpRouter>(), processIsOneSession: s.GetService<StdioGateway>() is not null));
        services.TryAddSingleton<GatewayCapabilities>();
        services.AddOptions<McpServerOptions>().PostConfigure<GatewayCapabilities>((options, capabilities) =>
        {
            if (capabilities.Value is { } known)
            {
                ApplyCapabilities(options, known);
            }
        });
        return services
            .AddMcpServer(o =>
            {
                o.ServerInfo = new Implementation { Name = "taskflow-gateway", Version = typeof(McpGateway).Assembly.GetName().Version?.ToString() ?? "1.0" };
                o.Capabilities = new ServerCapabilities { Tools = new ToolsCapability { ListChanged = true } };
            })
            .WithListToolsHandler(async (context, cancellationToken) =>
            {
                var services = context.Services!;
                services.GetRequiredService<McpGatewaySessions>().SessionOf(context.Server);
                return await services.GetRequiredService<McpGateway>().ListToolsAsync(cancellationToken);
            })
            .WithListResourcesHandler(async (context, cancellationToken) => await Gateway(context.Services!).ListResourcesAsync(cancellationToken))
            .WithListResourceTemplatesHandler(async (context, cancellationToken) => await Gateway(context.Services!).ListResourceTemplatesAsync(cancellationToken))
            .WithReadResourceHandler(async (context, cancellationToken) =>
                await Gateway(context.Services!).ReadResourceAsync(context.Params ?? throw new McpProtocolException("resources/read needs params.", McpErrorCode.InvalidParams), cancellationToken))
            .WithListPromptsHandler(async (context, cancellationToken) => await Gateway(context.Services!).ListPromptsAsync(cancellationToken))
            .WithGetPromptHandler(async (context, cancellationToken) =>
                await Gateway(context.Services!).GetPromptAsync(context.Params ?? throw new McpProtocolException("prompts/get needs params.", McpErrorCode.InvalidParams), cancellationToken))
            .WithCompleteHandler(async (context, cancellationToken) =>
                await Gateway(context.Services!).CompleteAsync(context.Params ?? throw new McpProtocolException("completion/complete needs params.", McpErrorCode.InvalidParams), cancellationToken))
            .WithCallToolHandler(async (context, cancellationToken) =>
            {
                var services = context.Services!;
                var session = services.GetRequiredService<McpGatewaySessions>().SessionOf(context.Server);
                var request = context.Params ?? throw new McpProtocolException("tools/call needs params.", McpErrorCode.InvalidParams);
                var progress = request.ProgressToken is { } token ? new ForwardedProgress(context.Server, token) : null;
                var result = await services.GetRequiredService<McpGateway>().CallToolAsync(request.Name, request.Arguments, progress, session, cancellationToken);

                // Progress sent after the result could be dropped with the request's stream.
                if (progress is not null)
                {
                    await progress.FlushAsync();
                }

                return result;
            });
    }

    /// <summary>
    /// Announces what the fleet offers, no more: the handlers of a capability no server backs are
    /// removed, so the SDK neither announces it nor answers for it.
    /// </summary>
    public static void ApplyCapabilities(McpServerOptions options, ServerCapabilities offered)
    {
        options.Capabilities = new ServerCapabilities
        {
            Tools = new ToolsCapability { ListChanged = true },
            Resources = offered.Resources,
            Prompts = offered.Prompts,
            Completions = offered.Completions,
        };
        if (offered.Resources is null)
        {
            options.Handlers.ListResourcesHandler = null;
            options.Handlers.ListResourceTemplatesHandler = null;
            options.Handlers.ReadResourceHandler = null;
        }

        if (offered.Prompts is null)
        {
            options.Handlers.ListPromptsHandler = null;
            options.Handlers.GetPromptHandler = null;
        }

        if (offered.Completions is null)
        {
            options.Handlers.CompleteHandler = null;
        }
    }

    private static McpGateway Gateway(IServiceProvider services) => services.GetRequiredService<McpGateway>();

    /// <summary>
    /// Serves the gateway over stdio. The process is one downstream session: upstream servers that
    /// keep state per session give it sessions of their own, and it hears of tool changes.
    /// </summary>
    public static IMcpServerBuilder WithGatewayStdioTransport(this IMcpServerBuilder builder)
    {
        builder.Services.TryAddSingleton<StdioGateway>();
        return builder.WithStdioServerTransport();
    }

    /// <summary>Sends an upstream's progress on to the downstream caller, under the caller's token, in order.</summary>
    private sealed class ForwardedProgress(McpServer server, ProgressToken token) : IProgress<ProgressNotificationValue>
    {
        private readonly Lock _lock = new();
        private Task _tail = Task.CompletedTask;

        public void Report(ProgressNotificationValue value)
        {
            lock (_lock)
            {
                _tail = SendAfterAsync(_tail, value);
            }
        }

        /// <summary>Completes when every reported value has been sent (or failed to send: the caller may be gone).</summary>
        public Task FlushAsync()
        {
            lock (_lock)
            {
                return _tail;
            }
        }

        private async Task SendAfterAsync(Task previous, ProgressNotificationValue value)
        {
            await previous;
            try
            {
                await server.NotifyProgressAsync(token, value);
            }
            catch (Exception)
            {
                // The caller went away; progress is best effort.
            }
        }
    }
}

/// <summary>Marks a gateway served over stdio.</summary>
internal sealed class StdioGateway;

/// <summary>
/// The gateway's downstream sessions: the clients to announce tool changes to, and the key that
/// gives each its own upstream sessions where the upstream keeps state per session. A stateless
/// request (protocol 2026-07-28, or a stateless transport) is no session: it shares the pool and
/// cannot be sent notifications.
/// </summary>
public sealed class McpGatewaySessions
{
    private const string ProcessSession = "stdio";

    // By session id. A request handler sees the session through a per-request wrapper, so the
    // id, not the object, finds it.
    private readonly ConcurrentDictionary<string, McpServer> _sessions = new(StringComparer.Ordinal);
    private readonly McpRouter _router;
    private readonly bool _processIsOneSession;

    /// <param name="processIsOneSession">Over stdio the process serves one client for its whole life, and its session has no id.</param>
    internal McpGatewaySessions(McpRouter router, bool processIsOneSession)
    {
        _router = router;
        _processIsOneSession = processIsOneSession;
        router.ToolsChanged += OnToolsChanged;
        router.CatalogChanged += OnCatalogChanged;
    }

    /// <summary>Sessions now open.</summary>
    public int Count => _sessions.Count;


    /// <summary>
    /// Runs one session of a transport that has several (Streamable HTTP): tracked while it runs,
    /// and its upstream sessions closed when it ends (the client deletes it, or it idles out).
    /// </summary>
    public async Task RunAsync(McpServer session, CancellationToken cancellationToken)
    {
        if (session.SessionId is not { } id)
        {
            await session.RunAsync(cancellationToken);
            return;
        }

        _sessions[id] = session;
        try
        {
            await session.RunAsync(cancellationToken);
        }
        finally
        {
            _sessions.TryRemove(id, out _);
            await _router.EndSessionAsync(id);
        }
    }

    /// <summary>The key of the session a request came in on; null for a stateless request.</summary>
    internal string? SessionOf(McpServer server)
    {
        if (server.SessionId is { } id && _sessions.ContainsKey(id))
        {
            return id;
        }

        if (!_processIsOneSession)
        {
            return null;
        }

        _sessions.TryAdd(ProcessSession, server);
        return ProcessSession;
    }

    private void OnToolsChanged(string server) => _ = AnnounceAsync(NotificationMethods.ToolListChangedNotification);

    // A server's resources or prompts changed: the sessions hear both (which one changed is not said upstream).
    private void OnCatalogChanged(string server)
    {
        _ = AnnounceAsync(NotificationMethods.ResourceListChangedNotification);
        _ = AnnounceAsync(NotificationMethods.PromptListChangedNotification);
    }

    private async Task AnnounceAsync(string notification)
    {
        foreach (var session in _sessions.Values)
        {
            try
            {
                await session.SendNotificationAsync(notification, CancellationToken.None);
            }
            catch (Exception)
            {
                // The client has gone; its session ends on its own.
            }
        }
    }
}
