using Hangfire;
using TaskFlow.Engine.Jobs;

namespace TaskFlow.Workspaces.Cleanup;

/// <summary>
/// The lazy and scheduled cleanup passes as Hangfire recurring jobs. Workspace folders and
/// sandboxes are local to a machine, so each machine has its own pair of jobs, queued on its own
/// queue (<see cref="JobQueues.Local"/>), which only its processes listen on.
/// </summary>
public sealed class WorkspaceCleanupJob(WorkspaceManager manager)
{
    public const string LazyJobPrefix = "workspace-cleanup-lazy";
    public const string ScheduledJobPrefix = "workspace-cleanup-scheduled";

    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    [AutomaticRetry(Attempts = 0)]
    public Task<int> RunAsync(CleanupPass pass, CancellationToken cancellationToken) => manager.CleanupAsync(pass, cancellationToken);
}
