using Microsoft.Extensions.Options;
using TaskFlow.Engine.Runtime;

namespace TaskFlow.Server.HttpTriggers;

/// <summary>
/// Keeps <see cref="HttpTriggerRouteTable"/> current: at once when a definition changes through
/// this process (before the save's call returns), and every refresh interval for changes made
/// by other servers or the CLI on the same database.
/// </summary>
internal sealed partial class HttpTriggerRefresh(WorkflowRuntime runtime, HttpTriggerRouteTable table, IOptions<HttpTriggerOptions> options, TimeProvider time, ILogger<HttpTriggerRefresh> logger) : BackgroundService
{
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        runtime.DefinitionChanged += OnDefinitionChanged;
        return base.StartAsync(cancellationToken);
    }

    public override Task StopAsync(CancellationToken cancellationToken)
    {
        runtime.DefinitionChanged -= OnDefinitionChanged;
        return base.StopAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await table.RefreshAsync(force: false, stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The database may be down; the routes served stay as they were until it is back.
                RefreshFailed(logger, ex);
            }

            try
            {
                await Task.Delay(options.Value.RefreshInterval, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task OnDefinitionChanged(string definitionId)
    {
        try
        {
            await table.RefreshAsync(force: false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            RefreshFailed(logger, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading the HTTP trigger routes failed; the routes served are unchanged.")]
    private static partial void RefreshFailed(ILogger logger, Exception exception);
}
