using System.Text.Json.Nodes;
using TaskFlow.Core.Model;

namespace TaskFlow.Core.Scheduling;

/// <summary>The instance-level state a transition reads and changes; the engine loads and writes it under the instance's lock.</summary>
public sealed class InstanceSnapshot
{
    public required string Id { get; init; }

    public InstanceStatus Status { get; set; }

    /// <summary>Nodes scheduled, running or waiting. The instance is finished when this reaches zero.</summary>
    public int ActiveNodes { get; set; }

    public int Depth { get; init; }

    public JsonObject Input { get; init; } = [];

    public JsonObject Variables { get; init; } = [];

    /// <summary>Set when a transition changed <see cref="Variables"/>, so the engine writes them back.</summary>
    public bool VariablesChanged { get; set; }

    public JsonNode? Output { get; set; }

    public string? Error { get; set; }
}
