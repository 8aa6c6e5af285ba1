using System.Globalization;
using Cronos;
using Hangfire;
using Hangfire.Server;
using Microsoft.Extensions.Logging;
using TaskFlow.Engine.Persistence;
using TaskFlow.Engine.Runtime;

namespace TaskFlow.Engine.Jobs;

/// <summary>
/// What a cron trigger's recurring job runs: starts one instance of the published definition for
/// the tick. The start key names the definition, the trigger and the tick, so however many
/// times the job runs for that tick (Hangfire retries, several servers, a job re-queued after a
/// crash), the database lets exactly one start through.
/// </summary>
public sealed partial class CronTriggerJob(WorkflowRuntime runtime, ILogger<CronTriggerJob> logger)
{
    public const string JobIdPrefix = "cron:";

    public static string JobId(string definitionId, int triggerIndex) => $"{JobIdPrefix}{definitionId}:{triggerIndex}";

    /// <summary>The tick's start key: one instance per definition, trigger and scheduled time.</summary>
    public static string StartKey(string definitionId, int triggerIndex, DateTimeOffset tick) =>
        $"cron:{definitionId}:{triggerIndex}:{tick.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)}";

    [AutomaticRetry(Attempts = 3)]
    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    public async Task RunAsync(string definitionId, int triggerIndex, PerformContext? context, CancellationToken cancellationToken)
    {
        var definition = await runtime.GetDefinitionAsync(definitionId, cancellationToken: cancellationToken);
        var trigger = definition?.Definition.Triggers.ElementAtOrDefault(triggerIndex);
        if (definition is null || trigger is not { Type: "cron" })
        {
            // The definition changed after this job was queued; the sync removes its recurring job.
            Skipped(logger, definitionId, triggerIndex);
            return;
        }

        var tick = Tick(trigger.Cron!, trigger.TimeZone, ScheduledAt(context));
        var (instanceId, created) = await runtime.StartAsync(definitionId, trigger.Input?.DeepClone().AsObject(), definition.Version, StartKey(definitionId, triggerIndex, tick), cancellationToken);
        if (created)
        {
            Started(logger, definitionId, triggerIndex, tick, instanceId);
        }
        else
        {
            AlreadyStarted(logger, definitionId, triggerIndex, tick, instanceId);
        }
    }

    /// <summary>
    /// The tick a run belongs to: the latest occurrence of the cron expression at or before the
    /// time the job was queued for. Every run for one tick (a retry, a duplicate from another
    /// server, a manual trigger) maps to the same tick, hence the same start key. For an ad-hoc
    /// run, start the workflow through the API instead.
    /// </summary>
    public static DateTimeOffset Tick(string cron, string? timeZone, DateTimeOffset at)
    {
        var format = cron.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard;
        var expression = CronExpression.Parse(cron, format);
        var zone = timeZone is null ? TimeZoneInfo.Utc : TimeZoneInfo.FindSystemTimeZoneById(timeZone);
        foreach (var window in LookBack)
        {
            var last = expression.GetOccurrences(at - window, at, zone, fromInclusive: true, toInclusive: true).LastOrDefault();
            if (last != default)
            {
                return last;
            }
        }

        // An expression that matches less than once in five years (e.g. 29 February on a Monday): the time itself.
        return at;
    }

    private static readonly TimeSpan[] LookBack = [TimeSpan.FromMinutes(1), TimeSpan.FromHours(1), TimeSpan.FromDays(1), TimeSpan.FromDays(32), TimeSpan.FromDays(5 * 366)];

    /// <summary>
    /// When Hangfire queued the job: the "Time" parameter its recurring-job scheduler sets (Unix
    /// seconds), or the job's creation time for a job without it.
    /// </summary>
    private static DateTimeOffset ScheduledAt(PerformContext? context)
    {
        if (context?.GetJobParameter<long?>("Time") is { } seconds)
        {
            return DateTimeOffset.FromUnixTimeSeconds(seconds);
        }

        return context is null ? DateTimeOffset.UtcNow : new DateTimeOffset(DateTime.SpecifyKind(context.BackgroundJob.CreatedAt, DateTimeKind.Utc));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Cron trigger {DefinitionId}#{TriggerIndex} tick {Tick:O} started instance {InstanceId}")]
    private static partial void Started(ILogger logger, string definitionId, int triggerIndex, DateTimeOffset tick, string instanceId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cron trigger {DefinitionId}#{TriggerIndex} tick {Tick:O} had already started instance {InstanceId}; nothing started")]
    private static partial void AlreadyStarted(ILogger logger, string definitionId, int triggerIndex, DateTimeOffset tick, string instanceId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cron trigger {DefinitionId}#{TriggerIndex} is no longer published; nothing started")]
    private static partial void Skipped(ILogger logger, string definitionId, int triggerIndex);
}
