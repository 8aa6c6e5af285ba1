using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TaskFlow.Routing.Gateway;
using TaskFlow.Routing.Hosting;

namespace TaskFlow.Server.Cli;

/// <summary><c>taskflow mcp gateway</c>: the fleet as one MCP server over stdio, for clients that launch their servers (Claude Code, Claude Flow).</summary>
internal static class McpCommand
{
    public static Command Create()
    {
        var gateway = new Command("gateway", "Serve the configured MCP fleet (TaskFlow:Mcp in appsettings.json or TaskFlow__Mcp__* variables) as one MCP server over stdio. Logs go to stderr.");
        gateway.SetAction(async (_, cancellationToken) =>
        {
            var builder = Host.CreateApplicationBuilder();
            builder.Logging.ClearProviders();

            // stdout carries the protocol: every log line goes to stderr.
            builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace).SetMinimumLevel(LogLevel.Warning);
            builder.Services.AddMcpRouterCore();
            builder.Services.AddTaskFlowGateway().WithGatewayStdioTransport();
            using var host = builder.Build();
            await host.RunAsync(cancellationToken);
            return 0;
        });
        return new Command("mcp", "The MCP gateway.") { gateway };
    }
}
