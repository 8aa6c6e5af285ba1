using System.Globalization;
using Cronos;
using Hangfire;
using Hangfire.Server;
using Hangfire.Common;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TaskFlow.Engine.Persistence;
using TaskFlow.Engine.Runtime;

namespace TaskFlow.Engine.Jobs;

/// <summary>
/// What a cron trigger's recurring job runs: starts one instance of the published definition for
/// each tick that is due. The start key names the definition, the trigger and the tick, so however
/// many times the job runs for that tick (Hangfire retries, several servers, a job re-queued after
/// a crash), the database lets exactly one start through.
/// </summary>
/// <remarks>
/// Hangfire looks for due recurring jobs once per <see cref="TaskFlowJobsOptions.SchedulePollingInterval"/>
/// and, for the occurrences it finds missed since its last look, queues one run (its "relaxed"
/// misfire handling). A schedule more frequent than the polling interval (every second, polled
/// every 15 s) would so start one tick in fifteen. So a run starts every tick of the trigger from
/// <see cref="TaskFlowJobsOptions.CronCatchUp"/> before its own up to its own, that no run started
/// yet: a late poll, a server that was down for a moment, or a run that failed loses no tick.
/// Ticks before the published version was created, or before the recurring job was registered,
/// are never started; ticks older than the catch-up window (a whole fleet down for longer) are
/// skipped, and the run says how many.
/// </remarks>
public sealed partial class CronTriggerJob(WorkflowRuntime runtime, ILogger<CronTriggerJob> logger, IOptions<TaskFlowJobsOptions>? options = null)
{
    /// <summary>At most this many ticks are started by one run, however frequent the schedule and long the window.</summary>
    public const int MaxTicksPerRun = 1000;

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

        var at = ScheduledAt(context);
        var tick = Tick(trigger.Cron!, trigger.TimeZone, at);
        var catchUp = options?.Value.CronCatchUp ?? TaskFlowJobsOptions.DefaultCronCatchUp;
        var since = Max(tick - catchUp, definition.CreatedAt, RegisteredAt(context));
        var (ticks, skipped) = DueTicks(trigger.Cron!, trigger.TimeZone, since, tick, MaxTicksPerRun);
        if (skipped > 0)
        {
            TicksSkipped(logger, definitionId, triggerIndex, skipped, catchUp);
        }

        foreach (var due in ticks)
        {
            var (instanceId, created) = await runtime.StartAsync(definitionId, trigger.Input?.DeepClone().AsObject(), definition.Version, StartKey(definitionId, triggerIndex, due), cancellationToken);
            if (created)
            {
                if (due == tick)
                {
                    Started(logger, definitionId, triggerIndex, due, instanceId);
                }
                else
                {
                    CaughtUp(logger, definitionId, triggerIndex, due, instanceId);
                }
            }
            else if (due == tick)
            {
                AlreadyStarted(logger, definitionId, triggerIndex, due, instanceId);
            }
        }
    }

    /// <summary>
    /// The ticks of <paramref name="cron"/> after <paramref name="since"/> (exclusive) up to
    /// <paramref name="tick"/> (inclusive), oldest first: <paramref name="tick"/> itself always,
    /// and at most <paramref name="max"/> in all, the newest kept. <c>Skipped</c> counts the older ones
    /// left out for the limit.
    /// </summary>
    public static (IReadOnlyList<DateTimeOffset> Ticks, int Skipped) DueTicks(string cron, string? timeZone, DateTimeOffset since, DateTimeOffset tick, int max)
    {
        if (since >= tick)
        {
            return ([tick], 0);
        }

        var expression = CronExpression.Parse(cron, FormatOf(cron));
        var zone = timeZone is null ? TimeZoneInfo.Utc : TimeZoneInfo.FindSystemTimeZoneById(timeZone);
        var ticks = new Queue<DateTimeOffset>();
        var skipped = 0;
        foreach (var occurrence in expression.GetOccurrences(since, tick, zone, fromInclusive: false, toInclusive: true))
        {
            ticks.Enqueue(occurrence);
            if (ticks.Count > max)
            {
                ticks.Dequeue();
                skipped++;
            }
        }

        if (ticks.Count == 0 || ticks.Last() != tick)
        {
            // The tick a run was queued for is started even when it is not an occurrence (a run queued by hand for a time of its own).
            if (ticks.Count == max)
            {
                ticks.Dequeue();
                skipped++;
            }

            ticks.Enqueue(tick);
        }

        return ([.. ticks], skipped);
    }

    private static CronFormat FormatOf(string cron) =>
        cron.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard;

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b, DateTimeOffset? c) =>
        new[] { a, b, c ?? DateTimeOffset.MinValue }.Max();

    /// <summary>When the run's recurring job was registered (Hangfire's <c>CreatedAt</c> of it); null for a run without one or a storage that does not say.</summary>
    private static DateTimeOffset? RegisteredAt(PerformContext? context)
    {
        if (context?.GetJobParameter<string>("RecurringJobId") is not { Length: > 0 } recurringJobId)
        {
            return null;
        }

        var entries = context.Connection.GetAllEntriesFromHash($"recurring-job:{recurringJobId}");
        return entries is not null && entries.TryGetValue("CreatedAt", out var text) && JobHelper.DeserializeNullableDateTime(text) is { } created
            ? new DateTimeOffset(DateTime.SpecifyKind(created, DateTimeKind.Utc))
            : null;
    }

    /// <summary>
    /// The tick a run belongs to: the latest occurrence of the cron expression at or before the
    /// time the job was queued for. Every run for one tick (a retry, a duplicate from another
    /// server, a manual trigger) maps to the same tick, hence the same start key. For an ad-hoc
    /// run, start the workflow through the API instead.
    /// </summary>
    public static DateTimeOffset Tick(string cron, string? timeZone, DateTimeOffset at)
    {
        var expression = CronExpression.Parse(cron, FormatOf(cron));
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Cron trigger {DefinitionId}#{TriggerIndex} tick {Tick:O}, missed by the schedule's polling, started instance {InstanceId}")]
    private static partial void CaughtUp(ILogger logger, string definitionId, int triggerIndex, DateTimeOffset tick, string instanceId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cron trigger {DefinitionId}#{TriggerIndex}: {Skipped} older ticks were not started: they are beyond the {CatchUp} catch-up window (TaskFlow:Jobs:CronCatchUp) or the limit of ticks per run")]
    private static partial void TicksSkipped(ILogger logger, string definitionId, int triggerIndex, int skipped, TimeSpan catchUp);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cron trigger {DefinitionId}#{TriggerIndex} is no longer published; nothing started")]
    private static partial void Skipped(ILogger logger, string definitionId, int triggerIndex);
}
