using System.ComponentModel.DataAnnotations;

namespace TaskFlow.Engine.Jobs;

/// <summary>Scheduled work run by Hangfire: cron triggers and the retention purge. Section <c>TaskFlow:Jobs</c>.</summary>
public sealed class TaskFlowJobsOptions
{
    public const string SectionName = "TaskFlow:Jobs";

    /// <summary>Runs a Hangfire server in this process. Any number of processes may: each tick still starts one instance.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Hangfire workers in this process. Scheduled jobs only start instances, so a few suffice.</summary>
    [Range(1, 64)]
    public int WorkerCount { get; set; } = 2;

    /// <summary>How often Hangfire looks for due recurring jobs; a cron tick is started at most this late.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan SchedulePollingInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The default of <see cref="CronCatchUp"/>.</summary>
    public static readonly TimeSpan DefaultCronCatchUp = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How far back a cron trigger's run starts the ticks no run started yet: those Hangfire's
    /// polling passed over (a schedule more frequent than <see cref="SchedulePollingInterval"/>), or
    /// that fell while every server was down for a moment. Older ticks are skipped and logged. Zero
    /// starts only the tick of the run itself. At least the polling interval for a schedule more
    /// frequent than it.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan CronCatchUp { get; set; } = DefaultCronCatchUp;

    /// <summary>When the retention purge runs (UTC cron).</summary>
    public string RetentionCron { get; set; } = "30 3 * * *";

    /// <summary>Finished instances older than this are deleted with their journal; null keeps them forever.</summary>
    public TimeSpan? RetentionAge { get; set; } = TimeSpan.FromDays(30);

    /// <summary>The PostgreSQL schema of Hangfire's tables (PostgreSQL mode only).</summary>
    [Required]
    public string PostgresSchema { get; set; } = "hangfire";
}
