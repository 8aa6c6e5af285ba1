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
        services.TryAddSingleton<GatewaySessions>();
        return services
            .AddMcpServer(o =>
            {
                o.ServerInfo = new Implementation { Name = "taskflow-gateway", Version = typeof(McpGateway).Assembly.GetName().Version?.ToString() ?? "1.0" };
                o.Capabilities = new ServerCapabilities { Tools = new ToolsCapability { ListChanged = true } };
            })
            .WithListToolsHandler(async (context, cancellationToken) =>
            {
                var services = context.Services!;
                services.GetRequiredService<GatewaySessions>().Track(context.Server);
                return await services.GetRequiredService<McpGateway>().ListToolsAsync(cancellationToken);
            })
            .WithCallToolHandler(async (context, cancellationToken) =>
            {
                var services = context.Services!;
                services.GetRequiredService<GatewaySessions>().Track(context.Server);
                var request = context.Params ?? throw new McpProtocolException("tools/call needs params.", McpErrorCode.InvalidParams);
                var progress = request.ProgressToken is { } token ? new ForwardedProgress(context.Server, token) : null;
                var result = await services.GetRequiredService<McpGateway>().CallToolAsync(request.Name, request.Arguments, progress, cancellationToken);

                // Progress sent after the result could be dropped with the request's stream.
                if (progress is not null)
                {
                    await progress.FlushAsync();
                }

                return result;
            });
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

/// <summary>The gateway's downstream sessions, to announce tool changes to.</summary>
internal sealed class GatewaySessions
{
    private readonly ConcurrentDictionary<McpServer, byte> _sessions = new();

    public GatewaySessions(McpRouter router) => router.ToolsChanged += OnToolsChanged;

    private void OnToolsChanged(string server) => _ = AnnounceAsync();

    public void Track(McpServer session) => _sessions.TryAdd(session, 0);

    private async Task AnnounceAsync()
    {
        foreach (var session in _sessions.Keys)
        {
            try
            {
                await session.SendNotificationAsync(NotificationMethods.ToolListChangedNotification, CancellationToken.None);
            }
            catch (Exception)
            {
                // The session has ended; forget it.
                _sessions.TryRemove(session, out _);
            }
        }
    }
}
