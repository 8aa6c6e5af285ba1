using System.Text.Json.Nodes;

namespace TaskFlow.Engine.Persistence;

/// <summary>What templates of one execution can read.</summary>
public sealed record InstanceScope(JsonObject Input, JsonObject Variables, int Depth, IReadOnlyList<NodeStateRecord> Nodes);
