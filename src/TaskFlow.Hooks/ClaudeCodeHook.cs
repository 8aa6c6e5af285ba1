using System.Text.Json;
using System.Text.Json.Nodes;
using TaskFlow.Core.Decomposition;

namespace TaskFlow.Hooks;

/// <summary>
/// Claude Code's hook protocol for Agent (and its older name Task) calls: PreToolUse plans the task
/// or marks a subtask running; PostToolUse records a foreground result or, for a subagent launched
/// in the background, marks its subtask running under the subagent's id; PostToolUseFailure fails
/// it; SubagentStart and SubagentStop tie a subagent to its subtask and record its last message.
/// Every other event is ignored. This file reads the input and dispatches; the subagent events are
/// in ClaudeCodeHook.Subagents.cs.
/// </summary>
internal sealed partial class ClaudeCodeHook(HookPlanStore store, HookOptions options, TimeProvider time, Action<string> note)
{
    /// <summary>Reads one hook input; a problem with it is exit 1 with the message on stderr.</summary>
    public static JsonObject? Parse(string text, out string? error)
    {
        error = null;
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(text);
        }
        catch (JsonException ex)
        {
            error = $"taskflow hook: stdin is not JSON ({ex.Message}); Claude Code sends one JSON object.";
            return null;
        }

        if (node is not JsonObject input)
        {
            error = "taskflow hook: stdin must be a JSON object with hook_event_name.";
            return null;
        }

        if (HookJson.Text(input["hook_event_name"]) is not { Length: > 0 })
        {
            error = "taskflow hook: the input has no hook_event_name; it is not a Claude Code hook input.";
            return null;
        }

        return input;
    }

    public static bool IsTaskTool(string? name) => name is "Task" or "Agent";

    /// <summary>The session an input belongs to: its session_id, or <c>no-session</c> when it has none.</summary>
    public static string SessionOf(JsonObject input) => HookJson.Text(input["session_id"]) is { Length: > 0 } id ? id : "no-session";

    /// <summary>
    /// Whether live plans are brought level with their server after the event: those that register
    /// a plan or move a subtask (the events <see cref="HandleAsync"/> acts on), and Stop, the end of
    /// a turn, which sends what a slow or absent server missed.
    /// </summary>
    public static bool SyncsLivePlans(JsonObject input) => HookJson.Text(input["hook_event_name"]) switch
    {
        "PreToolUse" or "PostToolUse" or "PostToolUseFailure" => IsTaskTool(HookJson.Text(input["tool_name"])),
        "SubagentStart" or "SubagentStop" or "Stop" => true,
        _ => false,
    };

    public async Task<(HookOutcome Outcome, HookPlan? Registered)> HandleAsync(JsonObject input, CancellationToken cancellationToken = default)
    {
        var session = SessionOf(input);
        var tool = HookJson.Text(input["tool_name"]);
        var toolInput = ToolInput(input["tool_input"]);
        var prompt = HookJson.Text(toolInput["prompt"]);
        var toolUseId = HookJson.Text(input["tool_use_id"]);
        return HookJson.Text(input["hook_event_name"]) switch
        {
            "PreToolUse" when IsTaskTool(tool) => await PreToolUseAsync(session, toolInput, prompt, toolUseId, cancellationToken),
            "PostToolUse" when IsTaskTool(tool) && IsAsyncLaunch(input["tool_response"]) => (await LaunchAsync(session, prompt, toolUseId, (JsonObject)input["tool_response"]!, cancellationToken), null),
            "PostToolUse" when IsTaskTool(tool) => (await RecordToolAsync("PostToolUse", session, prompt, toolUseId, input["tool_response"], failure: null, cancellationToken), null),
            "PostToolUseFailure" when IsTaskTool(tool) => (await RecordToolAsync("PostToolUseFailure", session, prompt, toolUseId, null, HookJson.Text(input["error"]) ?? "The Agent call failed.", cancellationToken), null),
            "SubagentStart" => (await SubagentStartAsync(session, input, cancellationToken), null),
            "SubagentStop" => (await SubagentStopAsync(session, input, cancellationToken), null),
            _ => (HookOutcome.Nothing, null),
        };
    }

    /// <summary>
    /// tool_input as an object. Some callers send it as a string: a JSON object in a string is read
    /// as that object, any other text as the prompt.
    /// </summary>
    internal static JsonObject ToolInput(JsonNode? node)
    {
        if (node is JsonObject o)
        {
            return o;
        }

        if (HookJson.Text(node) is not { } text)
        {
            return [];
        }

        try
        {
            if (JsonNode.Parse(text) is JsonObject parsed)
            {
                return parsed;
            }
        }
        catch (JsonException)
        {
            // Plain text: the prompt itself.
        }

        return new JsonObject { ["prompt"] = text };
    }

    /// <summary>The receipt of a subagent launched in the background (Claude Code 2.1.198 and later by default).</summary>
    internal static bool IsAsyncLaunch(JsonNode? response) => response is JsonObject o && HookJson.Text(o["status"]) == "async_launched";

    private async Task<(HookOutcome, HookPlan?)> PreToolUseAsync(string session, JsonObject toolInput, string? prompt, string? toolUseId, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(prompt))
        {
            return (HookOutcome.Nothing, null);
        }

        var now = time.GetUtcNow();
        if (TaskMarker.TryParse(prompt, out var workflowId, out var subtaskId))
        {
            var started = await store.UpdateAsync(session, book =>
            {
                var subtask = book.Find(workflowId)?.Find(subtaskId);
                subtask?.Start(now, toolUseId);
                return (subtask is not null, subtask is not null);
            }, note, cancellationToken);
            if (!started)
            {
                note($"taskflow hook: the marker {TaskMarker.Format(workflowId, subtaskId)} names no stored subtask of session {session}; the Task call goes ahead unrecorded.");
                return (HookOutcome.Nothing, null);
            }

            return (Context("PreToolUse", $"TaskFlow: this Task runs subtask {subtaskId} of workflow {workflowId}; its result is recorded when it returns."), null);
        }

        var description = HookJson.Text(toolInput["description"]);
        var baseId = HookDecomposition.WorkflowIdFor(description, prompt);
        var result = HookDecomposition.Decompose(baseId, prompt, options);
        if (!result.Succeeded)
        {
            var problems = HookDecomposition.Problems(result);
            return options.BlockInvalid
                ? (new HookOutcome(2, null, $"TaskFlow blocked this Task call: the task cannot be decomposed.{Environment.NewLine}{problems}{Environment.NewLine}Split the task into at most {options.Limits.MaxSubtasks} subtasks, or ask without the limit."), null)
                : (Context("PreToolUse", $"TaskFlow could not plan this task, so nothing was registered:{Environment.NewLine}{problems}"), null);
        }

        var plan = await store.UpdateAsync(session, book =>
        {
            // The same prompt again (a retry) gets a fresh plan under a numbered id, so results of the first run stay.
            var workflowId = baseId;
            for (var n = 2; book.Find(workflowId) is { } existing && existing.ToolUseId != toolUseId; n++)
            {
                workflowId = $"{baseId}-{n}";
            }

            var decomposed = workflowId == baseId ? result : HookDecomposition.Decompose(workflowId, prompt, options);
            var plan = HookPlan.From(decomposed, workflowId, description ?? "", options.Aggregation, toolUseId, now);
            if (plan.Subtasks.Count == 1)
            {
                plan.Subtasks[0].Start(now, toolUseId);
            }

            book.Put(plan);
            return ((Plan: plan, Result: decomposed), true);
        }, note, cancellationToken);
        return (Context("PreToolUse", HookDecomposition.Context(plan.Result, plan.Plan)), plan.Plan);
    }

    private async Task<HookOutcome> RecordToolAsync(string eventName, string session, string? prompt, string? toolUseId, JsonNode? response, string? failure, CancellationToken cancellationToken)
    {
        if (!store.Exists(session))
        {
            return HookOutcome.Nothing;
        }

        var now = time.GetUtcNow();
        var error = failure ?? ErrorOf(response);
        var status = error is null ? SubtaskStatus.Succeeded : SubtaskStatus.Failed;
        var marked = TaskMarker.TryParse(prompt, out var workflowId, out var subtaskId);
        var report = await store.UpdateAsync(session, book =>
        {
            HookPlan? plan;
            if (marked)
            {
                plan = book.Find(workflowId);
                if (plan?.Find(subtaskId) is not { } subtask)
                {
                    return (null, false);
                }

                subtask.Record(status, response?.DeepClone(), error, null, null, now);
                subtask.AgentId = HookJson.Text((response as JsonObject)?["agentId"]) ?? subtask.AgentId;
            }
            else
            {
                // The Task call the plan was made for did the whole task when no subtask ran on its own.
                plan = book.FindByToolUse(toolUseId);
                if (plan is null || plan.Subtasks.Any(s => s.StartedAt is not null && s.ToolUseId != toolUseId) || plan.AllDone)
                {
                    return (null, false);
                }

                foreach (var subtask in plan.Pending)
                {
                    subtask.Record(status, response?.DeepClone(), error, null, null, now);
                }
            }

            var aggregation = plan.AggregateIfComplete();
            return (aggregation is null ? null : HookDecomposition.Report(plan, aggregation), true);
        }, note, cancellationToken);
        return report is null ? HookOutcome.Nothing : Context(eventName, report);
    }

    /// <summary>The error a Task tool_response reports, or null when it succeeded.</summary>
    internal static string? ErrorOf(JsonNode? response)
    {
        if (response is JsonObject o)
        {
            if (HookJson.Bool(o["is_error"]) == true || HookJson.Bool(o["isError"]) == true || HookJson.Bool(o["success"]) == false
                || HookJson.Text(o["status"]) is "error" or "failed" or "failure")
            {
                return HookJson.Text(o["error"]) ?? TextOf(o["content"]) ?? "The Task call reported an error.";
            }

            return HookJson.Text(o["error"]) is { Length: > 0 } error ? error : null;
        }

        return HookJson.Text(response) is { } text && text.StartsWith("Error", StringComparison.OrdinalIgnoreCase) ? text : null;
    }

    private static string? TextOf(JsonNode? content) => content switch
    {
        JsonArray parts => string.Join(Environment.NewLine, parts.Select(p => HookJson.Text(p?["text"])).Where(t => t is not null)) is { Length: > 0 } joined ? joined : null,
        _ => HookJson.Text(content),
    };

    private static HookOutcome Context(string eventName, string text) => new(0, new JsonObject
    {
        ["hookSpecificOutput"] = new JsonObject { ["hookEventName"] = eventName, ["additionalContext"] = text },
    }.ToJsonString(HookJson.Compact));
}
