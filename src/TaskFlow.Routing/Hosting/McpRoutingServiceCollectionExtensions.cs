using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using TaskFlow.Engine.Hosting;

namespace TaskFlow.Routing.Hosting;

public static class McpRoutingServiceCollectionExtensions
{
    /// <summary>
    /// Adds the MCP router (section <c>TaskFlow:Mcp</c>), its health checks and metrics, and the
    /// <c>mcp.call</c> activity. The configuration is checked at start: a mistake stops the process
    /// with one message listing every problem.
    /// </summary>
    public static TaskFlowEngineBuilder AddMcpRouter(this TaskFlowEngineBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<McpRoutingOptions>().BindConfiguration(McpRoutingOptions.SectionName).ValidateDataAnnotations();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<RoutingMetrics>();
        services.TryAddSingleton<McpRouter>();
        services.AddHostedService<McpRouterHost>();
        builder.AddActivity<McpCallActivity>();
        return builder;
    }
}
