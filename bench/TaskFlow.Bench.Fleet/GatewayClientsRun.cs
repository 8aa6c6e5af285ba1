using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using TaskFlow.Routing.Gateway;
using TaskFlow.Routing.Hosting;

namespace TaskFlow.Bench.Fleet;

/// <summary>
/// The gateway as the server hosts it (<c>/mcp</c>, Streamable HTTP on 127.0.0.1) with several
/// downstream clients: each lists the fleet and calls every server's probe by its gateway name.
/// With one shared pool per server, the fleet's memory stays at one copy however many clients.
/// </summary>
internal static class GatewayClientsRun
{
    /// <param name="whileUp">Runs after the calls, while the clients and the fleet are still up.</param>
    public static async Task<GatewayClientsFigures> RunAsync(FleetLaunch launch, IReadOnlyList<FleetServer> fleet, int clients, Action whileUp, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace).SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(FleetRouter.Settings(fleet.ToDictionary(s => s.Name, launch.RouterOptions)));
        builder.Services.AddMcpRouterCore();
        builder.Services.AddTaskFlowGateway().WithHttpTransport();
        await using var app = builder.Build();
        app.MapMcp("/mcp");
        await app.StartAsync(cancellationToken);
        var endpoint = new Uri(new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()), "mcp");
        var separator = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<TaskFlow.Routing.McpRoutingOptions>>().Value.Gateway.Separator;

        using var http = new HttpClient();
        var connected = new List<McpClient>();
        long ok = 0, failed = 0;
        string? firstError = null;
        try
        {
            var tools = await Task.WhenAll(Enumerable.Range(0, clients).Select(async i =>
            {
                var client = await McpClient.CreateAsync(new HttpClientTransport(new HttpClientTransportOptions { Endpoint = endpoint, Name = $"client-{i}" }, http), cancellationToken: cancellationToken);
                lock (connected)
                {
                    connected.Add(client);
                }

                var listed = await client.ListToolsAsync(cancellationToken: cancellationToken);
                var names = listed.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
                foreach (var server in fleet.Where(s => s.ProbeTool is not null))
                {
                    var name = $"{server.Name}{separator}{server.ProbeTool}";
                    string? error = null;
                    if (!names.Contains(name))
                    {
                        error = $"{name} is not in the gateway's listing";
                    }
                    else
                    {
                        var arguments = server.ProbeArguments?.ToDictionary(p => p.Key, p => (object?)p.Value);
                        var result = await client.CallToolAsync(name, arguments, cancellationToken: cancellationToken);
                        if (result.IsError == true)
                        {
                            error = $"{name}: {string.Join(" ", result.Content.OfType<TextContentBlock>().Select(t => t.Text))}";
                        }
                    }

                    if (error is null)
                    {
                        Interlocked.Increment(ref ok);
                    }
                    else
                    {
                        Interlocked.Increment(ref failed);
                        Interlocked.CompareExchange(ref firstError, error, null);
                    }
                }

                return listed.Count;
            }));

            var memory = FleetMemory.Measure();
            whileUp();
            return new GatewayClientsFigures(clients, tools, ok, failed, firstError, memory);
        }
        finally
        {
            await Task.WhenAll(connected.Select(c => c.DisposeAsync().AsTask()));
            await app.StopAsync(CancellationToken.None);
        }
    }
}
