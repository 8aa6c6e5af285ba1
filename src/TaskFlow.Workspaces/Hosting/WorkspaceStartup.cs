using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace TaskFlow.Workspaces.Hosting;

/// <summary>
/// Reads the workspaces a previous process left and reclaims orphans at start, in the background:
/// an engine that is down (Docker not started yet) must not stop the server from starting.
/// </summary>
internal sealed partial class WorkspaceStartup(WorkspaceManager manager, IOptions<WorkspaceOptions> options, ILogger<WorkspaceStartup> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await manager.EnsureLoadedAsync(stoppingToken);
            if (options.Value.DefaultIsolation == IsolationMode.Container)
            {
                manager.FillWarmPool();
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            StartFailed(logger, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not load or reclaim workspaces at start; the scheduled cleanup will try again")]
    private static partial void StartFailed(ILogger logger, Exception exception);
}
