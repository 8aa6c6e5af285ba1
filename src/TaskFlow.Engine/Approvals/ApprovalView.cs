using System.Text.Json.Nodes;

namespace TaskFlow.Engine.Approvals;

/// <summary>
/// An approval a node asked for: <see cref="Details"/> holds its title, description, assignees,
/// group, options and form. <see cref="Decided"/> is true once a decision (or the timeout) took it.
/// </summary>
public sealed record ApprovalView(string Id, string InstanceId, string NodeId, JsonObject Details, DateTimeOffset Since, bool Decided)
{
    public IReadOnlyList<string> Options => Details["options"] is JsonArray options
        ? options.Select(o => o?.ToString() ?? "").ToArray()
        : Core.Activities.BuiltInActivities.DefaultApprovalOptions;

    /// <summary>True when <paramref name="who"/> is an assignee or the group.</summary>
    public bool IsAssignedTo(string who) =>
        (Details["assignees"] is JsonArray assignees && assignees.Any(a => string.Equals(a?.ToString(), who, StringComparison.OrdinalIgnoreCase)))
        || string.Equals(Details["group"]?.ToString(), who, StringComparison.OrdinalIgnoreCase);
}
