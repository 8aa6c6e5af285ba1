using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Protocol;
using TaskFlow.Engine.Hosting;
using TaskFlow.Routing.Gateway;
using TaskFlow.Routing.Hosting;
using TaskFlow.Workspaces.Hosting;
using TaskFlow.Server.Mcp;
using LoadTest = TaskFlow.Server.Mcp.LoadTest;
using TaskFlow.Workspaces.Mcp;

namespace TaskFlow.Server.Cli;

/// <summary>
/// <c>taskflow mcp gateway</c>, <c>taskflow mcp workspace-isolation</c> and <c>taskflow mcp task-decomposition</c>: MCP servers over stdio,
/// for clients that launch their servers (Claude Code, Claude Flow).
/// </summary>
internal static class McpCommand
{
    public static Command Create()
    {
        var gateway = new Command("gateway", "Serve the configured MCP fleet (TaskFlow:Mcp in appsettings.json or TaskFlow__Mcp__* variables) as one MCP server over stdio. Logs go to stderr.");
        gateway.SetAction(async (_, cancellationToken) =>
        {
            var builder = CreateBuilder();
            builder.Services.AddMcpRouterCore();
            builder.Services.AddTaskFlowGateway().WithGatewayStdioTransport();
            using var host = builder.Build();

            // The one session is configured once: learn what the fleet offers (starting its
            // servers in parallel) before serving, so the gateway announces exactly that.
            host.Services.GetRequiredService<GatewayCapabilities>().Value =
                await host.Services.GetRequiredService<McpGateway>().CapabilitiesAsync(cancellationToken);
            await host.RunAsync(cancellationToken);
            return 0;
        });

        var workspaces = new Command("workspace-isolation", "Serve the workspace-isolation MCP server (create_workspace, exec, write_file, read_file, list_files, destroy_workspace, list_workspaces) over stdio, configured by TaskFlow:Workspaces. Logs go to stderr.");
        workspaces.SetAction(async (_, cancellationToken) =>
        {
            var builder = CreateBuilder();
            builder.Services.AddWorkspacesCore();
            builder.Services.AddMcpServer(o =>
                {
                    o.ServerInfo = new Implementation { Name = WorkspaceIsolationTools.ServerName, Version = typeof(WorkspaceIsolationTools).Assembly.GetName().Version?.ToString() ?? "1.0" };
                    o.Capabilities = new ServerCapabilities { Tools = new ToolsCapability() };
                })
                .WithListToolsHandler((context, _) => ValueTask.FromResult(context.Services!.GetRequiredService<WorkspaceIsolationTools>().ListTools()))
                .WithCallToolHandler(async (context, cancellationToken) =>
                    await context.Services!.GetRequiredService<WorkspaceIsolationTools>().CallAsync(context.Params?.Name ?? "", context.Params?.Arguments, cancellationToken))
                .WithStdioServerTransport();
            using var host = builder.Build();
            await host.RunAsync(cancellationToken);
            return 0;
        });

        var decomposition = new Command("task-decomposition", "Serve the task-decomposition MCP server (decompose, aggregate, run, status) over stdio, on the engine's database (TaskFlow:Engine, or TASKFLOW_POSTGRES), running the workflows it starts. Logs go to stderr.");
        decomposition.SetAction(async (_, cancellationToken) =>
        {
            var builder = CreateBuilder();
            builder.Services.AddTaskFlowEngine(o =>
                o.PostgresConnectionString = o.PostgresConnectionString ?? Environment.GetEnvironmentVariable("TASKFLOW_POSTGRES"))
                .AddMcpRouter().AddWorkspaces();
            builder.Services.AddSingleton<TaskDecompositionTools>();
            builder.Services.AddMcpServer(o =>
                {
                    o.ServerInfo = new Implementation { Name = TaskDecompositionTools.ServerName, Version = typeof(TaskDecompositionTools).Assembly.GetName().Version?.ToString() ?? "1.0" };
                    o.Capabilities = new ServerCapabilities { Tools = new ToolsCapability() };
                })
                .WithListToolsHandler((context, _) => ValueTask.FromResult(context.Services!.GetRequiredService<TaskDecompositionTools>().ListTools()))
                .WithCallToolHandler(async (context, cancellationToken) =>
                    await context.Services!.GetRequiredService<TaskDecompositionTools>().CallAsync(context.Params?.Name ?? "", context.Params?.Arguments, context.Server, cancellationToken))
                .WithStdioServerTransport();
            using var host = builder.Build();
            await host.RunAsync(cancellationToken);
            return 0;
        });

        return new Command("mcp", "TaskFlow's MCP servers over stdio, and the MCP load test.") { gateway, workspaces, decomposition, CreateLoadTest() };
    }

    /// <summary><c>taskflow mcp loadtest</c>: the reference report's load test against simulated servers on loopback.</summary>
    private static Command CreateLoadTest()
    {
        var servers = new Option<int>("--servers") { Description = "Simulated MCP servers behind the router (1 to 5000).", DefaultValueFactory = _ => 21 };
        var duration = new Option<int>("--duration") { Description = "Seconds to run (1 to 86400).", DefaultValueFactory = _ => 3600 };
        var tps = new Option<int>("--tps") { Description = "Calls per second offered, on a fixed schedule (1 to 100000).", DefaultValueFactory = _ => 1000 };
        var command = new Command("loadtest", "Run the reference report's load test: simulated MCP servers on 127.0.0.1 behind the router, calls at --tps for --duration; prints latency percentiles, errors and breaker events per server. Exit code 1 when the error rate reaches 0.1%, 2 for bad options.")
        {
            servers, duration, tps,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            var options = new LoadTest.McpLoadTestOptions(result.GetValue(servers), TimeSpan.FromSeconds(result.GetValue(duration)), result.GetValue(tps));
            var problems = options.Problems().ToList();
            if (problems.Count > 0)
            {
                await Console.Error.WriteLineAsync("taskflow mcp loadtest: " + string.Join("; ", problems));
                return 2;
            }

            return await LoadTest.McpLoadTest.RunAsync(options, Console.Out, cancellationToken);
        });
        return command;
    }

    private static HostApplicationBuilder CreateBuilder()
    {
        var builder = Host.CreateApplicationBuilder();
        // stdout carries the protocol: every log line goes to stderr.
        CliLogging.ToStandardError(builder);
        return builder;
    }
}
