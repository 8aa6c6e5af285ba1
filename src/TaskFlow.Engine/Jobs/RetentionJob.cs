using Hangfire;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TaskFlow.Engine.Runtime;

namespace TaskFlow.Engine.Jobs;

/// <summary>The retention purge: deletes instances finished longer ago than <see cref="TaskFlowJobsOptions.RetentionAge"/>.</summary>
public sealed partial class RetentionJob(WorkflowRuntime runtime, IOptions<TaskFlowJobsOptions> options, ILogger<RetentionJob> logger)
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
        return purged;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention purge deleted {Count} instances finished more than {Age} ago")]
    private static partial void Purged(ILogger logger, int count, TimeSpan age);
}
