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
                return await services.GetRequiredService<McpGateway>().CallToolAsync(request.Name, request.Arguments, progress, cancellationToken);
            });
    }

    /// <summary>Sends an upstream's progress on to the downstream caller, under the caller's token.</summary>
    private sealed class ForwardedProgress(McpServer server, ProgressToken token) : IProgress<ProgressNotificationValue>
    {
        public void Report(ProgressNotificationValue value) => _ = server.NotifyProgressAsync(token, value);
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
