using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TaskFlow.Routing;
using TaskFlow.Routing.Gateway;
using TaskFlow.Routing.Hosting;

namespace TaskFlow.Bench.Fleet;

/// <summary>
/// The router as a host builds it: <c>AddMcpRouterCore()</c> bound to a <c>TaskFlow:Mcp</c>
/// configuration with one entry per server, its tier per the report, everything else at the
/// defaults (rate limit 100 messages/s per server, 10 connections, the breaker's defaults).
/// The hosted health checks do not run: the bench drives the router itself.
/// </summary>
internal sealed class FleetRouter : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private FleetRouter(ServiceProvider services)
    {
        _services = services;
        Router = services.GetRequiredService<McpRouter>();
        Gateway = services.GetRequiredService<McpGateway>();
    }

    public McpRouter Router { get; }

    public McpGateway Gateway { get; }

    /// <param name="servers">Each server's <c>TaskFlow:Mcp:Servers</c> entry.</param>
    /// <param name="settings">Further <c>TaskFlow:Mcp</c> settings (key below the section, value).</param>
    public static FleetRouter Create(IReadOnlyDictionary<string, UpstreamServerOptions> servers, IReadOnlyDictionary<string, string>? settings = null, LogLevel logLevel = LogLevel.Warning)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(Settings(servers, settings)).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);

        // stdout carries the figures: the router's log goes to stderr.
        services.AddLogging(b => b.AddSimpleConsole(o => o.SingleLine = true).AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace).SetMinimumLevel(logLevel));
        services.AddMcpRouterCore();
        return new FleetRouter(services.BuildServiceProvider());
    }

    /// <summary>The <c>TaskFlow:Mcp</c> configuration keys and values for the servers and settings.</summary>
    public static Dictionary<string, string?> Settings(IReadOnlyDictionary<string, UpstreamServerOptions> servers, IReadOnlyDictionary<string, string>? settings = null)
    {
        var values = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (name, server) in servers)
        {
            var prefix = $"{McpRoutingOptions.SectionName}:Servers:{name}:";
            values[prefix + "Transport"] = server.Transport;
            values[prefix + "Command"] = server.Command;
            values[prefix + "Url"] = server.Url;
            values[prefix + "WorkingDirectory"] = server.WorkingDirectory;
            values[prefix + "Tier"] = server.Tier.ToString(CultureInfo.InvariantCulture);
            for (var i = 0; i < server.Arguments.Count; i++)
            {
                values[$"{prefix}Arguments:{i}"] = server.Arguments[i];
            }

            foreach (var (key, value) in server.Environment)
            {
                values[$"{prefix}Environment:{key}"] = value;
            }
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            values[$"{McpRoutingOptions.SectionName}:{key}"] = value;
        }

        return values;
    }

    // Stops every upstream process the router started.
    public ValueTask DisposeAsync() => _services.DisposeAsync();
}
