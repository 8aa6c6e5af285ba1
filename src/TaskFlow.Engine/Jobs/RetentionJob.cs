using Hangfire;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TaskFlow.Engine.Runtime;

namespace TaskFlow.Engine.Jobs;

/// <summary>
/// The retention purge: deletes instances finished longer ago than <see cref="TaskFlowJobsOptions.RetentionAge"/>,
/// and bulk operations (with their per-instance results) completed longer ago than that.
/// </summary>
public sealed partial class RetentionJob(WorkflowRuntime runtime, Persistence.EngineStore store, TimeProvider time, IOptions<TaskFlowJobsOptions> options, ILogger<RetentionJob> logger)
{
    public const string JobId = "retention";

    [DisableConcurrentExecution(timeoutInSeconds: 600)]
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        if (options.Value.RetentionAge is not { } age)
        {
            return 0;
        }

        var purged = await runtime.PurgeAsync(age, cancellationToken);
        Purged(logger, purged, age);
        var operations = await store.PurgeBulkOperationsAsync(time.GetUtcNow() - age, cancellationToken);
        if (operations > 0)
        {
            PurgedOperations(logger, operations, age);
        }

        return purged;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention purge deleted {Count} bulk operations completed more than {Age} ago")]
    private static partial void PurgedOperations(ILogger logger, int count, TimeSpan age);

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention purge deleted {Count} instances finished more than {Age} ago")]
    private static partial void Purged(ILogger logger, int count, TimeSpan age);
}
