using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.AspNetCore;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using TaskFlow.Routing;
using TaskFlow.Routing.Gateway;
using TaskFlow.Routing.Hosting;
using TaskFlow.Server.Hosting;

namespace TaskFlow.Bench.Mcp;

/// <summary>
/// Calls through the gateway: an MCP client over Streamable HTTP to <c>/mcp</c> of a Kestrel host
/// in this process, configured as the server configures its gateway, whose router reaches the
/// upstream. The API key check is left out (a header comparison); everything else is the same
/// path a gateway client takes. The client is on the SDK's newest revision (2026-07-28), which
/// the gateway serves statelessly, so every call shares the router's pool.
/// <para>
/// As the floor, the same host serves a plain SDK echo tool instead of the gateway: the cost of
/// the HTTP hop alone (client and server), with nothing behind it.
/// </para>
/// </summary>
internal sealed class GatewaySide : EchoSide
{
    private readonly WebApplication _app;
    private readonly McpRouter? _router;
    private readonly HttpClient _http;
    private readonly McpClient _client;
    private readonly IReadOnlyDictionary<string, object?> _arguments = new Dictionary<string, object?> { ["message"] = Message };

    private GatewaySide(WebApplication app, HttpClient http, McpClient client)
    {
        _app = app;
        _router = app.Services.GetService<McpRouter>();
        _http = http;
        _client = client;
    }

    public override string Name => _router is null ? "floor" : "gateway";

    /// <summary>The upstream connections of the gateway's router (the direct side gets as many); none for the floor.</summary>
    public override int Connections => _router?.GetStatus()[0].Connections ?? 0;

    public override string? ProtocolVersion => _router is null
        ? $"{_client.NegotiatedProtocolVersion}, no upstream"
        : $"{_client.NegotiatedProtocolVersion} to the gateway, {_router.GetStatus()[0].ProtocolVersion} upstream";

    /// <param name="floor">Serve a plain echo tool, not the gateway.</param>
    public static async Task<GatewaySide> StartAsync(UpstreamServerOptions upstream, bool floor, CancellationToken cancellationToken)
    {
        upstream.RateLimit = RouterSide.RateLimit;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        if (floor)
        {
            builder.Services.AddMcpServer()
                .WithHttpTransport(o => o.SessionMode = HttpServerSessionMode.StatefulForInitializeClients)
                .WithListToolsHandler((_, _) => ValueTask.FromResult(new ListToolsResult { Tools = [] }))
                .WithCallToolHandler((context, _) => ValueTask.FromResult(new CallToolResult
                {
                    Content = [new TextContentBlock { Text = "Echo: " + context.Params!.Arguments!["message"].GetString() }],
                }));
        }
        else
        {
            builder.Services.AddMcpRouterCore();
            builder.Services.Configure<McpRoutingOptions>(o => o.Servers[RouterSide.ServerName] = upstream);
            builder.Services.AddTaskFlowGateway().WithHttpTransport(o => o.SessionMode = HttpServerSessionMode.StatefulForInitializeClients);
        }
        var app = builder.Build();
        if (!floor)
        {
            app.UseMcpGatewayDirectCalls("/mcp");
        }

        app.MapMcp("/mcp");
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var http = new HttpClient();
        var client = await McpClient.CreateAsync(
            new HttpClientTransport(new HttpClientTransportOptions { Endpoint = new Uri(new Uri(address), "/mcp"), TransportMode = HttpTransportMode.StreamableHttp }, http),
            new McpClientOptions { ClientInfo = new Implementation { Name = "taskflow-bench-gateway", Version = "1.0" } },
            cancellationToken: cancellationToken);
        return new GatewaySide(app, http, client);
    }

    public override async Task<CallToolResult> CallAsync(int worker, CancellationToken cancellationToken) =>
        await _client.CallToolAsync($"{RouterSide.ServerName}__echo", _arguments, cancellationToken: cancellationToken);

    public override async ValueTask DisposeAsync()
    {
        await _client.DisposeAsync();
        _http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
