using System.Text.Json.Nodes;
using TaskFlow.Core.Model;

namespace TaskFlow.Core.Scheduling;

/// <summary>
/// The persisted state of one node of one instance (or one foreach iteration, id <c>node[i]</c>).
/// A node without a stored row is Pending with nothing arrived.
/// </summary>
public sealed class NodeState(string nodeId)
{
    public string NodeId { get; } = nodeId;

    public NodeStatus Status { get; set; }

    public int Attempt { get; set; }

    /// <summary>Inbound edges that were taken.</summary>
    public int Arrived { get; set; }

    /// <summary>Inbound edges that were not taken (condition false, other port, or source skipped).</summary>
    public int Dead { get; set; }

    public JsonNode? Output { get; set; }

    public string? Error { get; set; }

    /// <summary>Foreach: total items; iteration: unused.</summary>
    public int ItemsTotal { get; set; }

    /// <summary>Foreach: items handed out so far.</summary>
    public int ItemsStarted { get; set; }

    /// <summary>Foreach: items finished.</summary>
    public int ItemsDone { get; set; }

    /// <summary>Foreach: its body and parallelism; iteration: its item.</summary>
    public JsonNode? Data { get; set; }

    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    /// <summary>True when the store has no row for it yet.</summary>
    public bool IsNew { get; set; } = true;

    /// <summary>True when this transition changed it and it must be written.</summary>
    public bool IsDirty { get; set; }

    public bool IsFinished => Status is NodeStatus.Succeeded or NodeStatus.Failed or NodeStatus.Skipped or NodeStatus.Cancelled;

    public bool IsInFlight => Status is NodeStatus.Scheduled or NodeStatus.Running or NodeStatus.Waiting;

    /// <summary>The foreach node an iteration id such as <c>loop[3]</c> belongs to, and its index.</summary>
    public static bool TryParseIteration(string nodeId, out string parentId, out int index)
    {
        parentId = "";
        index = -1;
        var open = nodeId.IndexOf('[', StringComparison.Ordinal);
        if (open <= 0 || nodeId[^1] != ']' || !int.TryParse(nodeId.AsSpan(open + 1, nodeId.Length - open - 2), out index))
        {
            return false;
        }

        parentId = nodeId[..open];
        return true;
    }

    public static string IterationId(string parentId, int index) => $"{parentId}[{index}]";
}
