using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace TaskFlow.Bench.Fleet;

/// <summary>
/// N simulated MCP servers in one process, each at its own Streamable HTTP endpoint
/// (<c>/sim/{server}</c>) on 127.0.0.1, stateless, with its own tools (<c>{verb}_{n}</c>): a call
/// answers with the server and tool it reached, so the caller can check the route. Runs as a child
/// process of the bench, so the bench's own memory is the router's.
/// </summary>
internal static class SimulatedHost
{
    public const string Mode = "serve-sim";
    public const string ListeningPrefix = "listening ";

    private static readonly string[] Verbs =
    [
        "read", "write", "list", "search", "create", "delete", "update", "status", "run", "get",
        "set", "query", "open", "close", "send", "fetch", "move", "copy", "watch", "stop",
    ];

    public static string ServerName(int index) => $"sim-{index:0000}";

    public static string ToolName(int server, int tool) =>
        tool < Verbs.Length ? $"{Verbs[tool]}_{server:0000}" : $"{Verbs[tool % Verbs.Length]}{tool / Verbs.Length}_{server:0000}";

    public static async Task<int> RunAsync(FleetOptions options, CancellationToken cancellationToken)
    {
        var lists = Enumerable.Range(1, options.Servers).ToDictionary(
            ServerName,
            s => new ListToolsResult { Tools = [.. Enumerable.Range(0, options.Tools).Select(t => Tool(ToolName(s, t)))] },
            StringComparer.Ordinal);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace).SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddMcpServer(o =>
            {
                o.ServerInfo = new Implementation { Name = "taskflow-bench-simulated", Version = "1.0" };
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

        await using var app = builder.Build();
        app.MapMcp("/sim/{server}");
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Console.WriteLine(ListeningPrefix + address);

        // The parent ends this process by closing its stdin (or killing it).
        await Console.In.ReadToEndAsync(cancellationToken);
        await app.StopAsync(CancellationToken.None);
        return 0;
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
        InputSchema = System.Text.Json.JsonSerializer.SerializeToElement(new { type = "object", properties = new { message = new { type = "string" } } }),
    };
}
