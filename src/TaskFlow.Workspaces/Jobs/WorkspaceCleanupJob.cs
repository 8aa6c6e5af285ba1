using Hangfire;
using Microsoft.Extensions.Options;
using TaskFlow.Engine.Jobs;

namespace TaskFlow.Workspaces.Jobs;

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

/// <summary>Registers the two cleanup passes on their crons.</summary>
internal sealed class WorkspaceCleanupRegistration(IOptions<WorkspaceOptions> options) : IRecurringJobRegistration
{
    public void Register(IRecurringJobManager manager)
    {
        var queue = JobQueues.Local;
        manager.AddOrUpdate<WorkspaceCleanupJob>($"{WorkspaceCleanupJob.LazyJobPrefix}:{queue}", queue, job => job.RunAsync(CleanupPass.Lazy, CancellationToken.None), options.Value.LazyCleanupCron);
        manager.AddOrUpdate<WorkspaceCleanupJob>($"{WorkspaceCleanupJob.ScheduledJobPrefix}:{queue}", queue, job => job.RunAsync(CleanupPass.Scheduled, CancellationToken.None), options.Value.ScheduledCleanupCron);
    }
}
