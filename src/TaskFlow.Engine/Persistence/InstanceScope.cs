using System.Text.Json.Nodes;

namespace TaskFlow.Engine.Persistence;

/// <summary>What templates of one execution can read.</summary>
public sealed record InstanceScope(JsonObject Input, JsonObject Variables, int Depth, IReadOnlyList<NodeStateRecord> Nodes)
{
    /// <summary>The id the run was started with, as <c>instance.correlationId</c> in templates.</summary>
    public string? CorrelationId { get; init; }
}
