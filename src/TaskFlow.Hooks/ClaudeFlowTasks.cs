using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using TaskFlow.Core.Decomposition;

namespace TaskFlow.Hooks;

/// <summary>
/// <c>taskflow hooks pre-task</c> and <c>post-task</c>: claude-flow 3.x's commands and fields, with
/// TaskFlow's plan added. A plan is kept in the same store as the Claude Code hook's, in the book
/// <c>task-ID</c>; its subtasks are reported as <c>ID/SUBTASK</c>, the whole task as <c>ID</c>.
/// </summary>
internal sealed class ClaudeFlowTasks(HookPlanStore store, HookOptions options, TimeProvider time, Action<string> note, IClaudeFlowHooks? claudeFlow)
{
    public sealed record Answer(int ExitCode, JsonObject Json, string Text);

    public static string BookOf(string taskId) => "task-" + taskId;

    public async Task<Answer> PreTaskAsync(string taskId, string description, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        Answer answer;
        if (SplitSubtask(taskId) is var (parentId, subtaskId) && store.Read(BookOf(parentId))?.Plans.FirstOrDefault()?.Find(subtaskId) is not null)
        {
            answer = await StartSubtaskAsync(taskId, parentId, subtaskId, description, now, cancellationToken);
        }
        else
        {
            answer = await PlanAsync(taskId, description, now, cancellationToken);
        }

        if (claudeFlow is not null)
        {
            answer.Json["claudeFlow"] = await claudeFlow.PreTaskAsync(taskId, description, cancellationToken);
        }

        return answer;
    }

    public async Task<Answer> PostTaskAsync(string taskId, bool success, double? quality, string? agent, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var status = success ? SubtaskStatus.Succeeded : SubtaskStatus.Failed;
        var (book, subtaskId) = SplitSubtask(taskId) is var (parentId, sub) && store.Read(BookOf(parentId))?.Plans.FirstOrDefault()?.Find(sub) is not null
            ? (BookOf(parentId), sub)
            : (BookOf(taskId), (string?)null);

        var json = new JsonObject { ["taskId"] = taskId, ["success"] = success };
        var text = new StringBuilder();
        var found = store.Read(book) is not null && await store.UpdateAsync(book, b =>
        {
            var plan = b.Plans.FirstOrDefault();
            if (plan is null)
            {
                return (false, false);
            }

            var targets = subtaskId is null ? plan.Pending.ToList() : new List<HookSubtask> { plan.Find(subtaskId)! };
            var started = targets.Select(t => t.StartedAt).Where(t => t is not null).DefaultIfEmpty(plan.CreatedAt).Min()!.Value;
            foreach (var target in targets)
            {
                target.Record(status, null, success ? null : "Reported as failed (post-task --success false).", success ? quality : null, agent, now);
            }

            json["duration"] = (long)(now - started).TotalMilliseconds;
            json["quality"] = quality;
            json["agent"] = agent;
            json["timestamp"] = HookJson.Format(now);
            json["workflowId"] = plan.WorkflowId;
            json["recorded"] = HookJson.Strings(targets.Select(t => t.Id));
            json["pending"] = HookJson.Strings(plan.Pending.Select(t => t.Id));
            text.Append("Recorded ").Append(success ? "success" : "failure").Append(" for ").Append(taskId)
                .Append(targets.Count == 0 ? " (every subtask had reported already)" : $" ({string.Join(", ", targets.Select(t => t.Id))})").Append('.');
            var aggregation = plan.AggregateIfComplete();
            json["aggregation"] = plan.Result?.DeepClone();
            if (aggregation is not null)
            {
                text.AppendLine().Append(HookDecomposition.Report(plan, aggregation));
            }
            else if (plan.Result is null)
            {
                text.AppendLine().Append("Waiting for ").Append(string.Join(", ", plan.Pending.Select(p => p.Id))).Append('.');
            }

            return (true, true);
        }, note, cancellationToken);

        if (!found)
        {
            note($"taskflow: no plan is stored for task {taskId} in {store.Directory}; the outcome is not recorded (run hooks pre-task first).");
            json["duration"] = null;
            json["quality"] = quality;
            json["agent"] = agent;
            json["timestamp"] = HookJson.Format(now);
            json["recorded"] = new JsonArray();
            text.Append("No TaskFlow plan for ").Append(taskId).Append("; nothing recorded.");
        }

        if (claudeFlow is not null)
        {
            json["claudeFlow"] = await claudeFlow.PostTaskAsync(taskId, success, quality, agent, cancellationToken);
        }

        return new Answer(0, json, text.ToString());
    }

    private async Task<Answer> PlanAsync(string taskId, string description, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var result = HookDecomposition.Decompose(HookDecomposition.WorkflowIdFor(taskId), description, options);
        if (!result.Succeeded)
        {
            var problems = HookDecomposition.Problems(result);
            note($"taskflow: task {taskId} cannot be decomposed; nothing was stored:{Environment.NewLine}{problems}");
            var failed = TaskEstimate.Describe(taskId, description, 0, now);
            failed["subtasks"] = new JsonArray();
            failed["graph"] = null;
            failed["problems"] = new JsonArray(result.Problems.Select(p => (JsonNode?)new JsonObject { ["code"] = p.Code, ["target"] = p.Target, ["message"] = p.Message }).ToArray());
            return new Answer(options.BlockInvalid ? 2 : 0, failed, $"Task {taskId} cannot be decomposed:{Environment.NewLine}{problems}");
        }

        var plan = HookPlan.From(result, taskId, description, options.Aggregation, null, now);
        await store.UpdateAsync(BookOf(taskId), book =>
        {
            // One task id, one plan: running pre-task again starts the task over, as claude-flow does.
            book.Plans.Clear();
            book.Put(plan);
            return (true, true);
        }, note, cancellationToken);

        var json = TaskEstimate.Describe(taskId, description, plan.Subtasks.Count, now);
        json["workflowId"] = plan.WorkflowId;
        json["strategy"] = plan.Strategy;
        json["subtasks"] = new JsonArray(plan.Subtasks.Select(s => (JsonNode?)new JsonObject
        {
            ["id"] = s.Id,
            ["taskId"] = plan.Subtasks.Count == 1 ? taskId : $"{taskId}/{s.Id}",
            ["description"] = s.Description,
            ["dependencies"] = HookJson.Strings(s.Dependencies),
            ["weight"] = s.Weight,
        }).ToArray());
        json["graph"] = DecompositionJson.Describe(result);

        var text = new StringBuilder()
            .Append("Task ").Append(taskId).Append(": complexity ").Append(json["complexity"]!.GetValue<string>())
            .Append(", ").Append(json["estimatedDuration"]!.GetValue<string>()).AppendLine()
            .AppendLine(DecompositionJson.Outline(result));
        text.Append(plan.Subtasks.Count == 1
            ? $"Report it with: taskflow hooks post-task -i {taskId} --success true"
            : $"Report each subtask with: taskflow hooks post-task -i {taskId}/SUBTASK --success true|false (or -i {taskId} for all at once)");
        return new Answer(0, json, text.ToString());
    }

    private async Task<Answer> StartSubtaskAsync(string taskId, string parentId, string subtaskId, string description, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var workflowId = await store.UpdateAsync(BookOf(parentId), book =>
        {
            var plan = book.Plans.First();
            plan.Find(subtaskId)!.Start(now, null);
            return (plan.WorkflowId, true);
        }, note, cancellationToken);

        var json = TaskEstimate.Describe(taskId, description, 1, now);
        json["workflowId"] = workflowId;
        json["subtask"] = subtaskId;
        json["subtasks"] = new JsonArray();
        json["graph"] = null;
        return new Answer(0, json, string.Create(CultureInfo.InvariantCulture, $"Subtask {subtaskId} of workflow {workflowId} is running."));
    }

    private static (string Parent, string Subtask)? SplitSubtask(string taskId)
    {
        var slash = taskId.LastIndexOf('/');
        return slash > 0 && slash < taskId.Length - 1 ? (taskId[..slash], taskId[(slash + 1)..]) : null;
    }
}
