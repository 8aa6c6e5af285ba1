// MCP's logging is deprecated as of revision 2026-07-28 (SEP-2577); servers on earlier revisions still
// send it, and the gateway passes it on for them.
#pragma warning disable MCP9005

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
        services.TryAddSingleton(s => new GatewayTasks(s.GetRequiredService<McpRouter>(), s.GetRequiredService<McpGateway>(), s.GetRequiredService<McpGatewaySessions>(), s.GetService<TimeProvider>()));
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
                o.ServerInfo = new Implementation { Name = GatewayName, Version = typeof(McpGateway).Assembly.GetName().Version?.ToString() ?? "1.0" };
                o.Capabilities = new ServerCapabilities { Tools = new ToolsCapability { ListChanged = true } };
            })
            .WithMessageFilters(filters => filters
                .AddIncomingFilter(next => async (context, cancellationToken) =>
                {
                    if (context.JsonRpcMessage is JsonRpcRequest request && IsGateway(context.Server))
                    {
                        if (GatewayTasks.Handles(request))
                        {
                            await AnswerTaskRequestAsync(context, request, cancellationToken);
                            return;
                        }

                        (context.Services ?? context.Server.Services)?.GetService<GatewayTasks>()?.Watch(context.Server.SessionId, request);
                    }

                    if (context.JsonRpcMessage is JsonRpcNotification { Method: NotificationMethods.RootsListChangedNotification } && IsGateway(context.Server)
                        && (context.Services ?? context.Server.Services)?.GetService<McpGatewaySessions>()?.SessionOf(context.Server) is { } session)
                    {
                        // The servers with a session of this client's own ask it for its roots again.
                        _ = (context.Services ?? context.Server.Services)!.GetRequiredService<McpRouter>().RootsChangedAsync(session);
                    }

                    await next(context, cancellationToken);
                })
                .AddOutgoingFilter(next => async (context, cancellationToken) =>
                {
                    if (context.JsonRpcMessage is JsonRpcMessageWithId answer && IsGateway(context.Server))
                    {
                        (context.Services ?? context.Server.Services)?.GetService<GatewayTasks>()?.Annotate(context.Server.SessionId, answer);
                    }

                    await next(context, cancellationToken);
                }))
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
            .WithSubscribeToResourcesHandler(async (context, cancellationToken) =>
            {
                var services = context.Services!;
                var session = services.GetRequiredService<McpGatewaySessions>().RequireSession(context.Server, RequestMethods.ResourcesSubscribe);
                var uri = context.Params?.Uri ?? throw new McpProtocolException("resources/subscribe needs params.uri.", McpErrorCode.InvalidParams);
                var (server, upstreamUri) = await Gateway(services).ResolveResourceAsync(uri, cancellationToken);
                await ForwardAsync(() => services.GetRequiredService<McpGatewaySessions>().SubscribeAsync(session, server, upstreamUri, uri, cancellationToken));
                return new EmptyResult();
            })
            .WithUnsubscribeFromResourcesHandler(async (context, cancellationToken) =>
            {
                var services = context.Services!;
                var session = services.GetRequiredService<McpGatewaySessions>().RequireSession(context.Server, RequestMethods.ResourcesUnsubscribe);
                var uri = context.Params?.Uri ?? throw new McpProtocolException("resources/unsubscribe needs params.uri.", McpErrorCode.InvalidParams);
                var (server, upstreamUri) = await Gateway(services).ResolveResourceAsync(uri, cancellationToken);
                await ForwardAsync(() => services.GetRequiredService<McpGatewaySessions>().UnsubscribeAsync(session, server, upstreamUri, cancellationToken));
                return new EmptyResult();
            })
            .WithSetLoggingLevelHandler(async (context, cancellationToken) =>
            {
                var services = context.Services!;
                var session = services.GetRequiredService<McpGatewaySessions>().RequireSession(context.Server, RequestMethods.LoggingSetLevel);
                var level = context.Params?.Level ?? throw new McpProtocolException("logging/setLevel needs params.level.", McpErrorCode.InvalidParams);
                await services.GetRequiredService<McpGatewaySessions>().SetLogLevelAsync(session, level, cancellationToken);
                return new EmptyResult();
            })
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
                var caller = new GatewayCaller(context.Server, session);
                var result = await services.GetRequiredService<McpGateway>().CallToolAsync(request.Name, request.Arguments, progress, session, cancellationToken, caller);

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

        if (offered.Resources?.Subscribe != true)
        {
            options.Handlers.SubscribeToResourcesHandler = null;
            options.Handlers.UnsubscribeFromResourcesHandler = null;
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

    /// <summary>Whether a session is the gateway's (the same server registration also serves TaskFlow's own MCP endpoints).</summary>
    private static bool IsGateway(McpServer server) => server.ServerOptions.ServerInfo?.Name == GatewayName;

    private const string GatewayName = "taskflow-gateway";

    /// <summary>Answers a task request (see <see cref="GatewayTasks"/>); an error the gateway or the server names goes back as that error.</summary>
    private static async Task AnswerTaskRequestAsync(MessageContext context, JsonRpcRequest request, CancellationToken cancellationToken)
    {
        var services = context.Services ?? context.Server.Services!;
        var session = services.GetRequiredService<McpGatewaySessions>().SessionOf(context.Server);
        JsonRpcMessage answer;
        try
        {
            answer = new JsonRpcResponse { Id = request.Id, Result = await services.GetRequiredService<GatewayTasks>().HandleAsync(session, request, cancellationToken) };
        }
        catch (McpProtocolException ex)
        {
            answer = new JsonRpcError { Id = request.Id, Error = new JsonRpcErrorDetail { Code = (int)ex.ErrorCode, Message = ex.Message } };
        }

        // The request's server is bound to the stream the request came on (Streamable HTTP: its POST), which the answer takes.
        await context.Server.SendMessageAsync(answer, cancellationToken);
    }

    /// <summary>A request the router could not carry out is an internal error to an MCP client, with the router's reason.</summary>
    private static async Task ForwardAsync(Func<Task> request)
    {
        try
        {
            await request();
        }
        catch (McpRoutingException ex)
        {
            throw new McpProtocolException(ex.Message, McpErrorCode.InternalError);
        }
    }

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
