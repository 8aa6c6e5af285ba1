using System.Text.Json.Nodes;
using TaskFlow.Core.Model;
using TaskFlow.Core.Scheduling;

namespace TaskFlow.Engine.Runtime;

public sealed record DefinitionView(string Id, int Version, string? Name, DateTimeOffset CreatedAt, WorkflowDefinition Definition)
{
    /// <summary>Soft-deleted: not listed and not started by id, but instances already running on it keep reading it.</summary>
    public bool IsDeleted { get; init; }

    /// <summary>The version runs, cron triggers and child workflows use when they name no version.</summary>
    public bool IsPublished { get; init; }

    /// <summary>In listings of definitions: the published version, if any (it may be older than this latest one).</summary>
    public int? PublishedVersion { get; init; }
}

public sealed record NodeStateView(string NodeId, NodeStatus Status, int Attempt, JsonNode? Output, string? Error, DateTimeOffset? FinishedAt);

public sealed record InstanceView(
    string Id,
    string DefinitionId,
    int DefinitionVersion,
    InstanceStatus Status,
    int Depth,
    string? ParentInstanceId,
    string? ParentNodeId,
    JsonNode? Input,
    JsonNode? Output,
    string? Error,
    DateTimeOffset CreatedAt,
    DateTimeOffset? FinishedAt,
    IReadOnlyList<NodeStateView> Nodes)
{
    /// <summary>The id the run was started with (run request, header or trigger); null when none.</summary>
    public string? CorrelationId { get; init; }

    /// <summary>The instance's trace id (32 hex digits) when it was started with tracing on, or a node ran with it on; null otherwise.</summary>
    public string? TraceId { get; init; }
}

public sealed record JournalEventView(long Id, string InstanceId, string? NodeId, JournalEventType Type, int Attempt, DateTimeOffset At, string? Worker, string? Message);
