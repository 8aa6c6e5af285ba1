using ModelContextProtocol.AspNetCore;
using ModelContextProtocol.Protocol;
using TaskFlow.Routing.Gateway;
using TaskFlow.Workspaces.Mcp;

namespace TaskFlow.Server.Hosting;

/// <summary>
/// The MCP servers this server hosts, each at its own path over Streamable HTTP, behind the API
/// key: the gateway at <c>/mcp</c>, and TaskFlow's own servers beside it. One MCP server
/// registration serves them all; each session (or stateless request) gets the options of the
/// path it came in on.
/// </summary>
internal static class McpEndpoints
{
    public const string Gateway = "/mcp";
    public const string WorkspaceIsolation = "/mcp/workspace-isolation";

    public static void Configure(HttpServerTransportOptions transport)
    {
        // Clients that open a session (the initialize handshake, every revision before
        // 2026-07-28) get one; 2026-07-28 clients are served statelessly on the same endpoint.
        transport.SessionMode = HttpServerSessionMode.StatefulForInitializeClients;
        transport.ConfigureSessionOptions = (context, options, _) =>
        {
            if (context.Request.Path.StartsWithSegments(WorkspaceIsolation))
            {
                var tools = context.RequestServices.GetRequiredService<WorkspaceIsolationTools>();
                options.ServerInfo = new Implementation { Name = WorkspaceIsolationTools.ServerName, Version = typeof(WorkspaceIsolationTools).Assembly.GetName().Version?.ToString() ?? "1.0" };
                options.Capabilities = new ServerCapabilities { Tools = new ToolsCapability() };
                options.Handlers.ListToolsHandler = (_, _) => ValueTask.FromResult(tools.ListTools());
                options.Handlers.CallToolHandler = async (request, cancellationToken) =>
                    await tools.CallAsync(request.Params?.Name ?? "", request.Params?.Arguments, cancellationToken);
            }

            return Task.CompletedTask;
        };

        // The one hook that sees a session end (experimental in SDK 2.3.1): a gateway session's
        // upstream sessions close with it.
#pragma warning disable MCPEXP002
        transport.RunSessionHandler = (context, session, cancellationToken) =>
            context.Request.Path.StartsWithSegments(WorkspaceIsolation)
                ? session.RunAsync(cancellationToken)
                : context.RequestServices.GetRequiredService<McpGatewaySessions>().RunAsync(session, cancellationToken);
#pragma warning restore MCPEXP002
    }

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapMcp(Gateway);
        app.MapMcp(WorkspaceIsolation);
    }
}
