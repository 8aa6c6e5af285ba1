using System.Text.Json.Nodes;

namespace TaskFlow.Core.Decomposition;

/// <summary>One subtask's result, as an aggregation receives it.</summary>
public sealed record SubtaskResult
{
    public required string Id { get; init; }

    public SubtaskStatus Status { get; init; }

    public JsonNode? Output { get; init; }

    public string? Error { get; init; }

    /// <summary>
    /// How well a succeeded subtask did, 0 to 1 (a reviewer's or agent's quality rating). A succeeded
    /// subtask without one counts as 1 in the weighted score; any other status counts as 0.
    /// </summary>
    public double? Score { get; init; }

    /// <summary>When it finished; the parallel mode lists results in this order (as they arrived).</summary>
    public DateTimeOffset? FinishedAt { get; init; }
}
