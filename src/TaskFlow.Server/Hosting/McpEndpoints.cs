// The SDK's logging handler is deprecated as of MCP revision 2026-07-28 (SEP-2577); it is cleared here.
#pragma warning disable MCP9005

using System.Text.Json;
using ModelContextProtocol.AspNetCore;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using TaskFlow.Routing.Gateway;
using TaskFlow.Server.Mcp;
using TaskFlow.Workspaces.Mcp;
using TaskFlow.Server.Auth;
using TaskFlow.Server.Audit;

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
    public const string TaskDecomposition = "/mcp/task-decomposition";

    public static void Configure(HttpServerTransportOptions transport)
    {
        // Clients that open a session (the initialize handshake, every revision before
        // 2026-07-28) get one; 2026-07-28 clients are served statelessly on the same endpoint.
        transport.SessionMode = HttpServerSessionMode.StatefulForInitializeClients;
        transport.ConfigureSessionOptions = async (context, options, cancellationToken) =>
        {
            var path = context.Request.Path;
            if (path.StartsWithSegments(WorkspaceIsolation))
            {
                var tools = context.RequestServices.GetRequiredService<WorkspaceIsolationTools>();
                Serve(options, WorkspaceIsolationTools.ServerName, typeof(WorkspaceIsolationTools), tools.ListTools, (_, name, arguments, cancellationToken) => tools.CallAsync(name, arguments, cancellationToken));
            }
            else if (path.StartsWithSegments(TaskDecomposition))
            {
                var tools = context.RequestServices.GetRequiredService<TaskDecompositionTools>();
                Serve(options, TaskDecompositionTools.ServerName, typeof(TaskDecompositionTools), tools.ListTools, (server, name, arguments, cancellationToken) => tools.CallAsync(name, arguments, server, cancellationToken));
            }
            else
            {
                // The gateway announces what its fleet offers (kept with its listing, so learning
                // it costs a request nothing once the servers are known).
                var offered = await context.RequestServices.GetRequiredService<McpGateway>().CapabilitiesAsync(cancellationToken);
                McpGatewayServerExtensions.ApplyCapabilities(options, offered);
            }
        };

        // The one hook that sees a session end (experimental in SDK 2.3.1): a gateway session's
        // upstream sessions close with it.
#pragma warning disable MCPEXP002
        transport.RunSessionHandler = (context, session, cancellationToken) =>
            context.Request.Path.StartsWithSegments(WorkspaceIsolation) || context.Request.Path.StartsWithSegments(TaskDecomposition)
                ? session.RunAsync(cancellationToken)
                : context.RequestServices.GetRequiredService<McpGatewaySessions>().RunAsync(session, cancellationToken);
#pragma warning restore MCPEXP002
    }

    public static void Map(IEndpointRouteBuilder app)
    {
        // Calling tools acts on the world: operators and admins.
        // MCP messages are not audited one by one: a gateway carries thousands a second.
        app.MapMcp(Gateway).RequireRole(ApiRole.Operator).NotAudited();
        app.MapMcp(WorkspaceIsolation).RequireRole(ApiRole.Operator).NotAudited();
        app.MapMcp(TaskDecomposition).RequireRole(ApiRole.Operator).NotAudited();
    }

    /// <summary>Makes a session one of TaskFlow's own tool servers: its name and version, a tools capability, and its two handlers.</summary>
    public static void Serve(
        McpServerOptions options,
        string name,
        Type implementation,
        Func<ListToolsResult> list,
        Func<McpServer, string, IDictionary<string, JsonElement>?, CancellationToken, Task<CallToolResult>> call)
    {
        options.ServerInfo = new Implementation { Name = name, Version = implementation.Assembly.GetName().Version?.ToString() ?? "1.0" };
        options.Capabilities = new ServerCapabilities { Tools = new ToolsCapability() };
        options.Handlers.ListToolsHandler = (_, _) => ValueTask.FromResult(list());
        options.Handlers.CallToolHandler = async (request, cancellationToken) => await call(request.Server, request.Params?.Name ?? "", request.Params?.Arguments, cancellationToken);

        // The endpoints share one server registration with the gateway: what the gateway federates
        // (the fleet's resources, prompts, completions, subscriptions, log levels) is not this server's.
        options.Handlers.ListResourcesHandler = null;
        options.Handlers.ListResourceTemplatesHandler = null;
        options.Handlers.ReadResourceHandler = null;
        options.Handlers.SubscribeToResourcesHandler = null;
        options.Handlers.UnsubscribeFromResourcesHandler = null;
        options.Handlers.ListPromptsHandler = null;
        options.Handlers.GetPromptHandler = null;
        options.Handlers.CompleteHandler = null;
        options.Handlers.SetLoggingLevelHandler = null;
    }
}
