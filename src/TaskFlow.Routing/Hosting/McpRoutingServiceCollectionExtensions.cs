using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using TaskFlow.Engine.Hosting;
using TaskFlow.Routing.Gateway;

namespace TaskFlow.Routing.Hosting;

public static class McpRoutingServiceCollectionExtensions
{
    /// <summary>
    /// Adds the MCP router (section <c>TaskFlow:Mcp</c>), its health checks and metrics, the
    /// <c>mcp.call</c> and <c>mcp.resource</c> activities, and the decomposer that asks an MCP tool for subtasks when
    /// <c>TaskFlow:Decomposition:ProposerTool</c> names one. The configuration is checked at start: a mistake stops the process
    /// with one message listing every problem.
    /// </summary>
    public static TaskFlowEngineBuilder AddMcpRouter(this TaskFlowEngineBuilder builder)
    {
        builder.Services.AddMcpRouterCore();
        builder.AddActivity<McpCallActivity>();
        builder.AddActivity<McpResourceActivity>();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<Core.Decomposition.ITaskDecomposer, Decomposition.McpTaskDecomposer>());
        builder.Services.TryAddSingleton<Engine.Decomposition.ISubtaskToolCatalog, Decomposition.RouterSubtaskToolCatalog>();
        return builder;
    }

    /// <summary>The router and the gateway without the engine (for <c>taskflow mcp gateway</c>).</summary>
    public static IServiceCollection AddMcpRouterCore(this IServiceCollection services)
    {
        services.AddOptions<McpRoutingOptions>().BindConfiguration(McpRoutingOptions.SectionName).ValidateDataAnnotations();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<RoutingMetrics>();
        services.TryAddSingleton<McpRouter>();
        services.TryAddSingleton<McpGateway>();
        if (!services.Any(d => d.ImplementationType == typeof(McpRouterHost)))
        {
            services.AddHostedService<McpRouterHost>();
        }

        return services;
    }
}
