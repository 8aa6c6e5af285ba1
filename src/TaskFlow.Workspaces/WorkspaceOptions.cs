using System.ComponentModel.DataAnnotations;

namespace TaskFlow.Workspaces;

/// <summary>What to do when every workspace slot is taken.</summary>
public enum WhenFull
{
    /// <summary>Wait for a slot, up to <see cref="WorkspaceOptions.QueueTimeout"/>.</summary>
    Queue,

    /// <summary>Refuse at once, naming the limit.</summary>
    FailFast,
}

/// <summary>
/// Section <c>TaskFlow:Workspaces</c>. The defaults are the reference report's workspace-isolation
/// template: container isolation, at most 10 workspaces, a 3600 s timeout, cleanup on completion.
/// </summary>
public sealed class WorkspaceOptions
{
    public const string SectionName = "TaskFlow:Workspaces";

    /// <summary>
    /// The folder holding every workspace's folder; relative paths are under the engine's data
    /// folder. Default: <c>workspaces</c>. <c>{machine}</c> in it is replaced by the host name,
    /// so containers that share one host folder (Compose replicas) each get a folder of their own:
    /// a root belongs to one process at a time.
    /// </summary>
    public string? Root { get; set; }

    /// <summary>The isolation of a workspace that does not ask for one: <c>Auto</c> (a container when an engine answers, else the sandbox) unless set.</summary>
    public IsolationMode DefaultIsolation { get; set; } = IsolationMode.Auto;

    /// <summary>The report's workspace-isolation-mcp configuration file (Appendix A) to read settings from; see <see cref="WorkspaceIsolationTemplate"/>.</summary>
    public string? TemplateFile { get; set; }

    /// <summary>The isolation modes workspaces may use (the template's isolation_modes); all when empty.</summary>
    public List<IsolationMode> AllowedIsolation { get; set; } = [];

    /// <summary>The cleanup modes callers may ask for (the template's cleanup_modes); all when empty.</summary>
    public List<CleanupMode> AllowedCleanup { get; set; } = [];

    /// <summary>Workspaces alive at once (the report's max_workspaces).</summary>
    [Range(1, 10_000)]
    public int MaxWorkspaces { get; set; } = 10;

    public WhenFull WhenFull { get; set; } = WhenFull.Queue;

    /// <summary>How long a request waits for a slot when <see cref="WhenFull"/> is <c>Queue</c>.</summary>
    public TimeSpan QueueTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>A workspace's life (the report's workspace_timeout, 3600 s); past it, scheduled cleanup reclaims it.</summary>
    public TimeSpan WorkspaceTimeout { get; set; } = TimeSpan.FromSeconds(3600);

    /// <summary>What destroying a workspace does when the caller does not say (the report's on_completion is <c>Immediate</c>).</summary>
    public CleanupMode Cleanup { get; set; } = CleanupMode.Immediate;

    /// <summary>Cron of the lazy cleanup job: reclaims workspaces released with <c>Lazy</c>.</summary>
    public string LazyCleanupCron { get; set; } = "*/5 * * * *";

    /// <summary>Cron of the scheduled cleanup job: reclaims expired workspaces, those of finished instances, and orphans.</summary>
    public string ScheduledCleanupCron { get; set; } = "*/15 * * * *";

    /// <summary>Limits of a workspace that does not set its own; a request may lower them, never raise them.</summary>
    public WorkspaceLimits Limits { get; set; } = new();

    /// <summary>Whether any workspace may have a network (a request's <c>network: true</c> is refused otherwise).</summary>
    public bool AllowNetwork { get; set; }

    /// <summary>
    /// Containers kept created and started ahead of use, for container workspaces of the default
    /// image with the default limits: a new container costs 0.5-0.8 s here, taking a warm one a
    /// few milliseconds. 0 turns the pool off. Filled at start and after each take.
    /// </summary>
    [Range(0, 100)]
    public int WarmPoolSize { get; set; } = 2;

    /// <summary>More images to keep <see cref="WarmPoolSize"/> warm containers of, besides the default image (one pool per image).</summary>
    public List<string> WarmPoolImages { get; set; } = [];

    /// <summary>How often a running command's disk use is measured against the quota.</summary>
    public TimeSpan QuotaCheckInterval { get; set; } = TimeSpan.FromMilliseconds(250);
}
