using Hangfire;
using Microsoft.Extensions.Options;
using TaskFlow.Engine.Jobs;

namespace TaskFlow.Workspaces.Cleanup;

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
