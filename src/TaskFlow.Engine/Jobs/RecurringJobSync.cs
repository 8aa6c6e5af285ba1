using Hangfire;
using Hangfire.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TaskFlow.Engine.Runtime;

namespace TaskFlow.Engine.Jobs;

/// <summary>
/// Keeps Hangfire's recurring jobs equal to the cron triggers of the published definitions: one
/// job per trigger, created, updated and removed as definitions are saved, published and deleted.
/// It syncs at start, after each change made through this process (before the change's call returns), and every minute (for
/// changes made by other processes, such as the CLI, on the same database).
/// </summary>
public sealed partial class RecurringJobSync(
    WorkflowRuntime runtime,
    IRecurringJobManager manager,
    JobStorage storage,
    IOptions<TaskFlowJobsOptions> options,
    IEnumerable<IRecurringJobRegistration> registrations,
    ILogger<RecurringJobSync> logger) : IHostedService, IDisposable
{
    public const string SyncJobId = "cron-sync";

    private readonly SemaphoreSlim _gate = new(1, 1);

    private readonly CancellationTokenSource _stopping = new();
    private Task _start = Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        runtime.DefinitionChanged += OnDefinitionChanged;

        // In the background and retried: a database that is down at start must not stop the
        // server from starting (readiness reports it); the schedules appear once it is back.
        _start = Task.Run(async () =>
        {
            while (!_stopping.IsCancellationRequested)
            {
                try
                {
                    manager.AddOrUpdate<RecurringJobSync>(SyncJobId, sync => sync.SyncAllAsync(CancellationToken.None), Cron.Minutely());
                    manager.AddOrUpdate<RetentionJob>(RetentionJob.JobId, job => job.RunAsync(CancellationToken.None), options.Value.RetentionCron);
                    foreach (var registration in registrations)
                    {
                        registration.Register(manager);
                    }

                    await SyncAsync(null, _stopping.Token);
                    return;
                }
                catch (Exception) when (_stopping.IsCancellationRequested)
                {
                    // Stopping while the database is unreachable: the next start registers the jobs.
                    return;
                }
                catch (Exception ex)
                {
                    StartFailed(logger, ex);
                    await Task.Delay(TimeSpan.FromSeconds(5), _stopping.Token).ContinueWith(_ => { }, TaskScheduler.Default);
                }
            }
        }, CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        runtime.DefinitionChanged -= OnDefinitionChanged;
        await _stopping.CancelAsync();
        try
        {
            await _start.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    public void Dispose()
    {
        _stopping.Dispose();
        _gate.Dispose();
    }

    public Task SyncAllAsync(CancellationToken cancellationToken) => SyncAsync(null, cancellationToken);

    /// <summary>Brings the recurring jobs of one definition (or of all, when null) in line with its published version.</summary>
    public async Task SyncAsync(string? definitionId, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var published = definitionId is null
                ? await runtime.ListPublishedDefinitionsAsync(cancellationToken)
                : await runtime.GetDefinitionAsync(definitionId, cancellationToken: cancellationToken) is { IsPublished: true } one ? [one] : [];
            var wanted = new HashSet<string>(StringComparer.Ordinal);
            foreach (var definition in published)
            {
                var triggers = definition.Definition.Triggers;
                for (var i = 0; i < triggers.Count; i++)
                {
                    if (triggers[i] is not { Type: "cron", Cron: { } cron } trigger)
                    {
                        continue;
                    }

                    var jobId = CronTriggerJob.JobId(definition.Id, i);
                    var (id, index) = (definition.Id, i);
                    var timeZone = trigger.TimeZone is null ? TimeZoneInfo.Utc : TimeZoneInfo.FindSystemTimeZoneById(trigger.TimeZone);
                    manager.AddOrUpdate<CronTriggerJob>(jobId, job => job.RunAsync(id, index, null, CancellationToken.None), cron, new RecurringJobOptions { TimeZone = timeZone });
                    wanted.Add(jobId);
                }
            }

            var prefix = definitionId is null ? CronTriggerJob.JobIdPrefix : CronTriggerJob.JobId(definitionId, 0)[..^1];
            using var connection = storage.GetConnection();
            foreach (var stale in connection.GetRecurringJobs().Select(j => j.Id).Where(j => j.StartsWith(prefix, StringComparison.Ordinal) && !wanted.Contains(j)))
            {
                manager.RemoveIfExists(stale);
                Removed(logger, stale);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task OnDefinitionChanged(string definitionId)
    {
        try
        {
            await SyncAsync(definitionId, CancellationToken.None);
        }
        catch (Exception ex)
        {
            // The minutely full sync repairs whatever this missed.
            SyncFailed(logger, ex, definitionId);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not register the scheduled jobs; retrying in 5 s")]
    private static partial void StartFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed recurring job {JobId}: its trigger is gone")]
    private static partial void Removed(ILogger logger, string jobId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not sync the cron triggers of {DefinitionId}; the next minutely sync retries")]
    private static partial void SyncFailed(ILogger logger, Exception exception, string definitionId);
}
