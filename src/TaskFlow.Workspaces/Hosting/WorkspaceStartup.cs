using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace TaskFlow.Workspaces.Hosting;

/// <summary>
/// Reads the workspaces a previous process left and reclaims orphans at start, in the background:
/// an engine that is down (Docker not started yet) must not stop the server from starting. Fills
/// the warm pool unless this process runs no activities (<c>TaskFlow:Engine:RunWorkers</c> false,
/// as a command that only stores definitions), which would never take a container from it.
/// </summary>
internal sealed partial class WorkspaceStartup(WorkspaceManager manager, IOptions<WorkspaceOptions> options, IOptions<TaskFlow.Engine.Hosting.TaskFlowEngineOptions> engine, ILogger<WorkspaceStartup> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await manager.EnsureLoadedAsync(stoppingToken);
            if (options.Value.DefaultIsolation is IsolationMode.Container or IsolationMode.Auto && engine.Value.RunWorkers)
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
