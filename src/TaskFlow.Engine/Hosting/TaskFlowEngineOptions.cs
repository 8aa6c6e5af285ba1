using System.ComponentModel.DataAnnotations;
using TaskFlow.Core.Validation;

namespace TaskFlow.Engine.Hosting;

public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}

/// <summary>Engine settings, bound from the <c>TaskFlow:Engine</c> configuration section.</summary>
public sealed class TaskFlowEngineOptions
{
    public const string SectionName = "TaskFlow:Engine";

    /// <summary>Sqlite (embedded default) or Postgres. Postgres is chosen automatically when <see cref="PostgresConnectionString"/> is set.</summary>
    public DatabaseProvider? Provider { get; set; }

    /// <summary>Connection string for PostgreSQL mode, e.g. <c>Host=127.0.0.1;Username=taskflow;Database=taskflow</c>.</summary>
    public string? PostgresConnectionString { get; set; }

    /// <summary>Folder for the SQLite database file (<c>taskflow.db</c>) in embedded mode.</summary>
    public string DataDirectory { get; set; } = ".taskflow";

    /// <summary>Run workers in this process. A process may serve the API only.</summary>
    public bool RunWorkers { get; set; } = true;

    /// <summary>Activities this process runs at once.</summary>
    [Range(1, 10_000)]
    public int MaxConcurrency { get; set; } = 64;

    /// <summary>Most work items claimed in one round trip (never more than the free slots of <see cref="MaxConcurrency"/>).</summary>
    [Range(1, 10_000)]
    public int ClaimBatchSize { get; set; } = 64;

    /// <summary>Most completions committed in one transaction.</summary>
    [Range(1, 10_000)]
    public int CommitBatchSize { get; set; } = 256;

    /// <summary>
    /// Most pure steps (activities declared pure: noop, transform, setVariable, javascript, join,
    /// fail) one commit runs inline, inside the commit that made them due, so that a chain of them
    /// costs one commit. 0: every step is queued and committed on its own.
    /// </summary>
    [Range(0, 100_000)]
    public int MaxInlineSteps { get; set; } = 1000;

    /// <summary>Longest one commit spends running pure steps inline (it holds its transaction meanwhile); the rest are queued.</summary>
    public TimeSpan MaxInlineTime { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>How long a claim lasts without a heartbeat; a crashed worker's work is re-claimed after this.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest a worker sleeps with no signal; a safety net only, wake-ups are event driven.</summary>
    public TimeSpan MaxIdleWait { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Identifies this worker in leases and the journal; defaults to host name and process id.</summary>
    public string? WorkerId { get; set; }

    /// <summary>Apply database migrations at start.</summary>
    public bool MigrateOnStart { get; set; } = true;

    public WorkflowLimits Limits { get; set; } = new();

    public DatabaseProvider EffectiveProvider =>
        Provider ?? (string.IsNullOrWhiteSpace(PostgresConnectionString) ? DatabaseProvider.Sqlite : DatabaseProvider.Postgres);

    internal string EffectiveWorkerId => WorkerId ?? $"{Environment.MachineName}:{Environment.ProcessId}";

    internal IEnumerable<string> Problems()
    {
        if (EffectiveProvider == DatabaseProvider.Postgres && string.IsNullOrWhiteSpace(PostgresConnectionString))
        {
            yield return "TaskFlow:Engine:PostgresConnectionString is required when Provider is Postgres.";
        }

        if (LeaseDuration < TimeSpan.FromSeconds(1))
        {
            yield return $"TaskFlow:Engine:LeaseDuration is {LeaseDuration}; use at least one second.";
        }

        if (MaxInlineTime <= TimeSpan.Zero)
        {
            yield return $"TaskFlow:Engine:MaxInlineTime is {MaxInlineTime}; it must be positive (set MaxInlineSteps to 0 to run no step inline).";
        }

        if (MaxIdleWait <= TimeSpan.Zero)
        {
            yield return "TaskFlow:Engine:MaxIdleWait must be positive.";
        }
    }
}
