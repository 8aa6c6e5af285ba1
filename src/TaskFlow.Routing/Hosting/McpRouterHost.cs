using Microsoft.Extensions.Hosting;

namespace TaskFlow.Routing.Hosting;

/// <summary>Starts eager servers, runs the health checks on the rules' interval, and stops every upstream process at shutdown.</summary>
internal sealed class McpRouterHost(McpRouter router, TimeProvider time) : BackgroundService
{
    /// <summary>
    /// Before anything is served: the servers of every rule with several servers must share a tool
    /// (found by listing them, in parallel), or the start fails with every such rule named.
    /// </summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await router.CheckRulesAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The first round also starts the eager servers; later rounds check what has started.
        var includeIdle = true;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await router.CheckHealthAsync(includeIdle, stoppingToken);
                includeIdle = false;
                await Task.Delay(router.Rules.HealthCheckInterval, time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);

        // No orphans: every stdio server process is closed (and killed if it lingers) here.
        await router.DisposeAsync();
    }
}
