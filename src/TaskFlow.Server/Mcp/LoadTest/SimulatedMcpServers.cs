using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using TaskFlow.Routing;

namespace TaskFlow.Server.Mcp.LoadTest;

/// <summary>
/// N simulated MCP servers in one web host, each at its own Streamable HTTP endpoint
/// (<c>/sim/{server}</c>) on 127.0.0.1 and a free port, stateless, with tools of its own
/// (<c>{verb}_{n}</c>): a call answers with the server and tool it reached, so a caller can check
/// the route. What the load test and the fleet bench put behind the router.
/// </summary>
public sealed class SimulatedMcpServers : IAsyncDisposable
{
    private static readonly string[] Verbs =
    [
        "read", "write", "list", "search", "create", "delete", "update", "status", "run", "get",
        "set", "query", "open", "close", "send", "fetch", "move", "copy", "watch", "stop",
    ];

    private readonly WebApplication _app;

    private SimulatedMcpServers(WebApplication app, Uri baseAddress, int servers)
    {
        _app = app;
        BaseAddress = baseAddress;
        Servers = servers;
    }

    public Uri BaseAddress { get; }

    public int Servers { get; }

    public static string ServerName(int index) => $"sim-{index:0000}";

    public static string ToolName(int server, int tool) =>
        tool < Verbs.Length ? $"{Verbs[tool]}_{server:0000}" : $"{Verbs[tool % Verbs.Length]}{tool / Verbs.Length}_{server:0000}";

    public static async Task<SimulatedMcpServers> StartAsync(int servers, int tools, CancellationToken cancellationToken)
    {
        var lists = Enumerable.Range(1, servers).ToDictionary(
            ServerName,
            s => new ListToolsResult { Tools = [.. Enumerable.Range(0, tools).Select(t => Tool(ToolName(s, t)))] },
            StringComparer.Ordinal);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddMcpServer(o =>
            {
                o.ServerInfo = new Implementation { Name = "taskflow-simulated", Version = "1.0" };
                o.Capabilities = new ServerCapabilities { Tools = new ToolsCapability() };
            })
            .WithHttpTransport(o => o.Stateless = true)
            .WithListToolsHandler((context, _) => ValueTask.FromResult(lists[Server(context.Services!)]))
            .WithCallToolHandler((context, _) =>
            {
                var server = Server(context.Services!);
                var tool = context.Params?.Name ?? "";
                if (!lists[server].Tools.Any(t => t.Name == tool))
                {
                    throw new McpProtocolException($"Tool '{tool}' is not a tool of {server}.", McpErrorCode.InvalidParams);
                }

                return ValueTask.FromResult(new CallToolResult { Content = [new TextContentBlock { Text = $"{server}:{tool}" }] });
            });

        var app = builder.Build();
        app.MapMcp("/sim/{server}");
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new SimulatedMcpServers(app, new Uri(address), servers);
    }

    /// <summary>Every simulated server as a router entry: Streamable HTTP on loopback, tiers 1 to 4 in turn.</summary>
    public Dictionary<string, UpstreamServerOptions> RouterEntries() => RouterEntries(BaseAddress, Servers);

    /// <summary>The router entries of <paramref name="servers"/> simulated servers served at <paramref name="baseAddress"/> (in this process or another).</summary>
    public static Dictionary<string, UpstreamServerOptions> RouterEntries(Uri baseAddress, int servers) =>
        Enumerable.Range(1, servers).ToDictionary(
            ServerName,
            i => new UpstreamServerOptions { Transport = "http", Url = new Uri(baseAddress, $"sim/{ServerName(i)}").ToString(), Tier = 1 + ((i - 1) % 4) },
            StringComparer.Ordinal);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }

    private static string Server(IServiceProvider services)
    {
        var value = services.GetRequiredService<IHttpContextAccessor>().HttpContext?.Request.RouteValues["server"] as string;
        return value ?? throw new McpProtocolException("No server in the path.", McpErrorCode.InvalidRequest);
    }

    private static Tool Tool(string name) => new()
    {
        Name = name,
        Description = string.Create(CultureInfo.InvariantCulture, $"Simulated tool {name}: answers with the server and tool it reached."),
        InputSchema = JsonSerializer.SerializeToElement(new { type = "object", properties = new { message = new { type = "string" } } }),
    };
}
