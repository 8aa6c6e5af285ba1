namespace TaskFlow.Engine.Persistence;

// Table rows. Times are Unix epoch milliseconds (UTC) on both providers, so the hot-path SQL
// compares plain integers and the two databases store identical values.

public sealed class DefinitionRecord
{
    public string DefinitionId { get; set; } = "";
    public int Version { get; set; }
    public string? Name { get; set; }
    public string Json { get; set; } = "";
    public long CreatedAt { get; set; }
    public bool IsDeleted { get; set; }

    /// <summary>The version that starts by id (runs, cron triggers, child workflows); at most one per definition.</summary>
    public bool IsPublished { get; set; }
}

/// <summary>A caller-chosen key that starts at most one instance (a cron tick, a retried request).</summary>
public sealed class StartKeyRecord
{
    public string Key { get; set; } = "";
    public string InstanceId { get; set; } = "";
    public long CreatedAt { get; set; }
}

public sealed class InstanceRecord
{
    public string Id { get; set; } = "";
    public string DefinitionId { get; set; } = "";
    public int DefinitionVersion { get; set; }
    public int Status { get; set; }
    public int ActiveNodes { get; set; }
    public int Depth { get; set; }
    public string? ParentInstanceId { get; set; }
    public string? ParentNodeId { get; set; }
    public int ParentAttempt { get; set; }
    public string Input { get; set; } = "{}";
    public string Variables { get; set; } = "{}";
    public string? Output { get; set; }
    public string? Error { get; set; }
    public long CreatedAt { get; set; }
    public long UpdatedAt { get; set; }
    public long? FinishedAt { get; set; }

    /// <summary>The caller's id for what this run belongs to (an order, a request); searchable, not unique.</summary>
    public string? CorrelationId { get; set; }

    /// <summary>The W3C traceparent of the instance's root span; null when tracing was off when it started.</summary>
    public string? TraceParent { get; set; }
}

public sealed class NodeStateRecord
{
    public string InstanceId { get; set; } = "";
    public string NodeId { get; set; } = "";
    public int Status { get; set; }
    public int Attempt { get; set; }
    public int Arrived { get; set; }
    public int Dead { get; set; }
    public int ItemsTotal { get; set; }
    public int ItemsStarted { get; set; }
    public int ItemsDone { get; set; }
    public string? Output { get; set; }
    public string? Error { get; set; }
    public string? Data { get; set; }
    public long? FinishedAt { get; set; }
}

public sealed class WorkItemRecord
{
    public long Id { get; set; }
    public string InstanceId { get; set; } = "";
    public string NodeId { get; set; } = "";
    public int Attempt { get; set; }
    public int Priority { get; set; }
    public long VisibleAt { get; set; }
    public string? Owner { get; set; }
    public int Claims { get; set; }
    public bool Resume { get; set; }
    public string? Payload { get; set; }
    public string DefinitionId { get; set; } = "";
    public int DefinitionVersion { get; set; }
}

public sealed class JournalRecord
{
    public long Id { get; set; }
    public string InstanceId { get; set; } = "";
    public string? NodeId { get; set; }
    public int Type { get; set; }
    public int Attempt { get; set; }
    public long At { get; set; }
    public string? Worker { get; set; }
    public string? Message { get; set; }
}
