using System.Text.Json.Nodes;
using TaskFlow.Core.Decomposition;

namespace TaskFlow.Hooks;

/// <summary>
/// A decomposed task as the hooks keep it between processes: the workflow it became, its subtasks
/// and their results, and the aggregation once every subtask has reported.
/// </summary>
internal sealed class HookPlan
{
    /// <summary>The root workflow definition's id; the marker names it.</summary>
    public required string WorkflowId { get; init; }

    /// <summary>The caller's id: the claude-flow task id, or the workflow id for a Task call.</summary>
    public required string TaskId { get; init; }

    public string Description { get; init; } = "";

    public required string Strategy { get; init; }

    public required AggregationMode Aggregation { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>The Task call the plan was made for (PreToolUse's tool_use_id).</summary>
    public string? ToolUseId { get; init; }

    public required List<HookSubtask> Subtasks { get; init; }

    /// <summary>The aggregation, set when the last subtask reported (AggregationResult.ToJson).</summary>
    public JsonObject? Result { get; set; }

    /// <summary>The instance that runs the plan live on a TaskFlow server (see <see cref="HookLivePlans"/>); null without one.</summary>
    public string? InstanceId { get; set; }

    /// <summary>
    /// A start of the plan was sent to the server while <see cref="InstanceId"/> is still null: its
    /// answer did not arrive in time, so the instance may exist there and is looked for first.
    /// </summary>
    public bool LiveStartSent { get; set; }

    /// <summary>Every subtask's end has reached the server, or the server refused the plan: nothing is left to send.</summary>
    public bool LiveDone { get; set; }

    /// <summary>Why the server refused to run the plan; null when it did not.</summary>
    public string? LiveError { get; set; }

    public HookSubtask? Find(string subtaskId) => Subtasks.FirstOrDefault(s => s.Id == subtaskId);

    public bool AllDone => Subtasks.All(s => s.IsDone);

    public IEnumerable<HookSubtask> Pending => Subtasks.Where(s => !s.IsDone);

    public static HookPlan From(DecompositionResult result, string taskId, string description, AggregationMode? aggregation, string? toolUseId, DateTimeOffset now)
    {
        var root = result.EnsureSucceeded();
        return new HookPlan
        {
            WorkflowId = root.Id,
            TaskId = taskId,
            Description = description,
            Strategy = result.Strategy.ToString().ToLowerInvariant(),
            Aggregation = aggregation ?? (result.Strategy == DecompositionStrategy.Sequential ? AggregationMode.Sequential : AggregationMode.Parallel),
            CreatedAt = now,
            ToolUseId = toolUseId,
            Subtasks = result.Subtasks.Select(s => new HookSubtask { Id = s.Id, Description = s.Description, Dependencies = s.Dependencies, Weight = s.Weight }).ToList(),
        };
    }

    /// <summary>
    /// Aggregates when every subtask has reported and no aggregation was made yet; returns it, or
    /// null when results are still missing or it was reported before.
    /// </summary>
    public AggregationResult? AggregateIfComplete()
    {
        if (!AllDone || Result is not null)
        {
            return null;
        }

        var weights = Aggregation == AggregationMode.Weighted && Subtasks.Sum(s => s.Weight) > 0 ? Subtasks.Select(s => s.Weight).ToList() : null;
        var result = SubtaskAggregation.Aggregate(weights is null && Aggregation == AggregationMode.Weighted ? AggregationMode.Parallel : Aggregation, Subtasks.Select(s => s.ToResult()).ToList(), weights);
        Result = result.ToJson();
        return result;
    }

    public JsonObject ToJson()
    {
        var json = new JsonObject
        {
            ["workflowId"] = WorkflowId,
            ["taskId"] = TaskId,
            ["description"] = Description,
            ["strategy"] = Strategy,
            ["aggregation"] = AggregateActivityDescriptor.ModeName(Aggregation),
            ["createdAt"] = HookJson.Format(CreatedAt),
        };
        if (ToolUseId is not null)
        {
            json["toolUseId"] = ToolUseId;
        }

        if (InstanceId is not null)
        {
            json["instanceId"] = InstanceId;
        }

        if (LiveStartSent && InstanceId is null)
        {
            json["liveStartSent"] = true;
        }

        if (LiveDone)
        {
            json["liveDone"] = true;
        }

        if (LiveError is not null)
        {
            json["liveError"] = LiveError;
        }

        json["subtasks"] = new JsonArray(Subtasks.Select(s => (JsonNode?)s.ToJson()).ToArray());
        if (Result is not null)
        {
            json["result"] = Result.DeepClone();
        }

        return json;
    }

    public static HookPlan FromJson(JsonObject json)
    {
        SubtaskAggregation.TryParseMode(HookJson.Text(json["aggregation"]), out var mode);
        return new HookPlan
        {
            WorkflowId = HookJson.Text(json["workflowId"]) ?? throw new FormatException("A stored plan has no workflowId."),
            TaskId = HookJson.Text(json["taskId"]) ?? HookJson.Text(json["workflowId"])!,
            Description = HookJson.Text(json["description"]) ?? "",
            Strategy = HookJson.Text(json["strategy"]) ?? "parallel",
            Aggregation = mode,
            CreatedAt = HookJson.Time(json["createdAt"]) ?? DateTimeOffset.UnixEpoch,
            ToolUseId = HookJson.Text(json["toolUseId"]),
            Subtasks = json["subtasks"] is JsonArray subtasks ? subtasks.OfType<JsonObject>().Select(HookSubtask.FromJson).ToList() : [],
            Result = json["result"] is JsonObject result ? (JsonObject)result.DeepClone() : null,
            InstanceId = HookJson.Text(json["instanceId"]),
            LiveStartSent = HookJson.Bool(json["liveStartSent"]) ?? false,
            LiveDone = HookJson.Bool(json["liveDone"]) ?? false,
            LiveError = HookJson.Text(json["liveError"]),
        };
    }
}
