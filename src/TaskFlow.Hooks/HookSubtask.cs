using System.Text.Json.Nodes;
using TaskFlow.Core.Decomposition;

namespace TaskFlow.Hooks;

/// <summary>One subtask of a stored plan and what has been reported for it.</summary>
internal sealed class HookSubtask
{
    public required string Id { get; init; }

    public string Description { get; init; } = "";

    public IReadOnlyList<string> Dependencies { get; init; } = [];

    public double Weight { get; init; } = 1;

    /// <summary>Pending until a result is recorded; a pending subtask with <see cref="StartedAt"/> is running.</summary>
    public SubtaskStatus Status { get; set; }

    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    /// <summary>The Task call that runs it, when one was marked for it.</summary>
    public string? ToolUseId { get; set; }

    public string? Agent { get; set; }

    /// <summary>The subagent's id (Agent's async launch receipt, SubagentStart, SubagentStop); SubagentStop is matched by it.</summary>
    public string? AgentId { get; set; }

    /// <summary>Where a background subagent writes its output (the launch receipt's outputFile).</summary>
    public string? OutputFile { get; set; }

    public JsonNode? Output { get; set; }

    public string? Error { get; set; }

    /// <summary>Quality 0 to 1 (post-task --quality); counts in a weighted score.</summary>
    public double? Score { get; set; }

    /// <summary>The lease token of this subtask's agent task on the server, once the hook claimed it there.</summary>
    public string? LeaseToken { get; set; }

    public bool IsRunning => Status == SubtaskStatus.Pending && StartedAt is not null;

    public bool IsDone => Status != SubtaskStatus.Pending;

    public void Start(DateTimeOffset now, string? toolUseId)
    {
        StartedAt = now;
        ToolUseId = toolUseId ?? ToolUseId;
    }

    /// <summary>
    /// A background launch (<c>status: "async_launched"</c>): the subtask runs under
    /// <paramref name="agentId"/> until its SubagentStop. A subtask already finished keeps its result.
    /// </summary>
    public void Launch(DateTimeOffset now, string? toolUseId, string? agentId, string? outputFile)
    {
        if (!IsDone)
        {
            Start(StartedAt ?? now, toolUseId);
        }

        AgentId = agentId ?? AgentId;
        OutputFile = outputFile ?? OutputFile;
    }

    /// <summary>Records a result; a later report for the same subtask replaces an earlier one (the richer PostToolUse after SubagentStop).</summary>
    public void Record(SubtaskStatus status, JsonNode? output, string? error, double? score, string? agent, DateTimeOffset now)
    {
        Status = status;
        Output = output;
        Error = error;
        Score = score;
        Agent = agent ?? Agent;
        StartedAt ??= now;
        FinishedAt = now;
    }

    public SubtaskResult ToResult() => new()
    {
        Id = Id,
        Status = Status,
        Output = Output?.DeepClone(),
        Error = Error,
        Score = Score,
        FinishedAt = FinishedAt,
    };

    public JsonObject ToJson()
    {
        var json = new JsonObject
        {
            ["id"] = Id,
            ["description"] = Description,
            ["dependencies"] = new JsonArray(Dependencies.Select(d => (JsonNode?)d).ToArray()),
            ["weight"] = Weight,
            ["status"] = IsRunning ? "running" : SubtaskAggregation.StatusName(Status),
        };
        Add(json, "startedAt", StartedAt);
        Add(json, "finishedAt", FinishedAt);
        Add(json, "toolUseId", ToolUseId);
        Add(json, "agent", Agent);
        Add(json, "agentId", AgentId);
        Add(json, "outputFile", OutputFile);
        if (Output is not null)
        {
            json["output"] = Output.DeepClone();
        }

        Add(json, "error", Error);
        Add(json, "leaseToken", LeaseToken);
        if (Score is { } score)
        {
            json["score"] = score;
        }

        return json;
    }

    public static HookSubtask FromJson(JsonObject json)
    {
        var status = HookJson.Text(json["status"]);
        SubtaskAggregation.TryParseStatus(status == "running" ? "pending" : status, out var parsed);
        return new HookSubtask
        {
            Id = HookJson.Text(json["id"]) ?? throw new FormatException("A stored subtask has no id."),
            Description = HookJson.Text(json["description"]) ?? "",
            Dependencies = json["dependencies"] is JsonArray deps ? deps.Select(d => HookJson.Text(d) ?? "").Where(d => d.Length > 0).ToList() : [],
            Weight = HookJson.Number(json["weight"]) ?? 1,
            Status = parsed,
            StartedAt = HookJson.Time(json["startedAt"]),
            FinishedAt = HookJson.Time(json["finishedAt"]),
            ToolUseId = HookJson.Text(json["toolUseId"]),
            Agent = HookJson.Text(json["agent"]),
            AgentId = HookJson.Text(json["agentId"]),
            OutputFile = HookJson.Text(json["outputFile"]),
            Output = json["output"]?.DeepClone(),
            Error = HookJson.Text(json["error"]),
            LeaseToken = HookJson.Text(json["leaseToken"]),
            Score = HookJson.Number(json["score"]),
        };
    }

    private static void Add(JsonObject json, string name, string? value)
    {
        if (value is not null)
        {
            json[name] = value;
        }
    }

    private static void Add(JsonObject json, string name, DateTimeOffset? value)
    {
        if (value is { } time)
        {
            json[name] = HookJson.Format(time);
        }
    }
}
