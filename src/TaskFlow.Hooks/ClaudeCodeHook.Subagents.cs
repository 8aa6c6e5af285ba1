using System.Text.Json.Nodes;
using TaskFlow.Core.Decomposition;

namespace TaskFlow.Hooks;

/// <summary>
/// Subagents that run in the background: the launch receipt, SubagentStart and SubagentStop. A
/// subtask launched in the background is running, not finished, until its own SubagentStop.
/// </summary>
internal sealed partial class ClaudeCodeHook
{
    /// <summary>
    /// PostToolUse with <c>status: "async_launched"</c>: the subtask (named by the marker, else every
    /// pending subtask of the plan made for this very call) runs under the receipt's agentId.
    /// Nothing is reported: the result comes with SubagentStop.
    /// </summary>
    private async Task<HookOutcome> LaunchAsync(string session, string? prompt, string? toolUseId, JsonObject receipt, CancellationToken cancellationToken)
    {
        if (!store.Exists(session))
        {
            return HookOutcome.Nothing;
        }

        var agentId = NonEmpty(HookJson.Text(receipt["agentId"]));
        var outputFile = NonEmpty(HookJson.Text(receipt["outputFile"]));
        var now = time.GetUtcNow();
        var marked = TaskMarker.TryParse(prompt, out var workflowId, out var subtaskId);
        await store.UpdateAsync(session, book =>
        {
            List<HookSubtask> launched;
            if (marked)
            {
                launched = book.Find(workflowId)?.Find(subtaskId) is { } subtask ? [subtask] : [];
            }
            else
            {
                var plan = book.FindByToolUse(toolUseId);
                launched = plan is null || plan.Subtasks.Any(s => s.StartedAt is not null && s.ToolUseId != toolUseId) ? [] : plan.Pending.ToList();
            }

            if (launched.Count == 0)
            {
                return (false, false);
            }

            // The receipt is certain; a SubagentStart guessed before it (only running subtask) yields.
            if (agentId is not null)
            {
                foreach (var other in Undone(book).Where(s => s.AgentId == agentId && !launched.Contains(s)))
                {
                    other.AgentId = null;
                }
            }

            foreach (var subtask in launched)
            {
                subtask.Launch(now, toolUseId, agentId, outputFile);
            }

            return (true, true);
        }, note, cancellationToken);
        return HookOutcome.Nothing;
    }

    /// <summary>
    /// SubagentStart ties the subagent's id to its subtask when the launch receipt has not yet: the
    /// subtask named by a marker in its prompt, else the only running subtask without an agent.
    /// </summary>
    private async Task<HookOutcome> SubagentStartAsync(string session, JsonObject input, CancellationToken cancellationToken)
    {
        if (NonEmpty(HookJson.Text(input["agent_id"])) is not { } agentId || !store.Exists(session))
        {
            return HookOutcome.Nothing;
        }

        var prompt = HookJson.Text(input["prompt"]);
        var agentType = NonEmpty(HookJson.Text(input["agent_type"]));
        var now = time.GetUtcNow();
        await store.UpdateAsync(session, book =>
        {
            if (Subtasks(book).Any(s => s.AgentId == agentId))
            {
                return (false, false);
            }

            List<HookSubtask> chosen = TaskMarker.TryFind(prompt, out var workflowId, out var subtaskId)
                ? book.Find(workflowId)?.Find(subtaskId) is { IsDone: false, AgentId: null } named ? [named] : []
                : Undone(book).Where(s => s.IsRunning && s.AgentId is null).ToList();
            if (chosen.Count != 1)
            {
                return (false, false);
            }

            chosen[0].StartedAt ??= now;
            chosen[0].AgentId = agentId;
            chosen[0].Agent = agentType ?? chosen[0].Agent;
            return (true, true);
        }, note, cancellationToken);
        return HookOutcome.Nothing;
    }

    /// <summary>
    /// SubagentStop records the subagent's last message as the result of its subtask(s): those with
    /// its agent id, else the one a marker in the message names, else the only running subtask
    /// with no other agent. When that completes a plan, the aggregation is reported as a
    /// systemMessage (SubagentStop takes no additionalContext).
    /// </summary>
    private async Task<HookOutcome> SubagentStopAsync(string session, JsonObject input, CancellationToken cancellationToken)
    {
        if (!store.Exists(session))
        {
            return HookOutcome.Nothing;
        }

        var agentId = NonEmpty(HookJson.Text(input["agent_id"]));
        var agentType = NonEmpty(HookJson.Text(input["agent_type"]));
        var message = HookJson.Text(input["last_assistant_message"]);
        var now = time.GetUtcNow();
        var report = await store.UpdateAsync(session, book =>
        {
            var chosen = ChooseStopped(book, agentId, message);
            if (chosen.Count == 0)
            {
                return (null, false);
            }

            var reports = new List<string>();
            foreach (var (_, subtask) in chosen)
            {
                subtask.Record(SubtaskStatus.Succeeded, message, null, null, agentType, now);
                subtask.AgentId = agentId ?? subtask.AgentId;
            }

            foreach (var plan in chosen.Select(c => c.Plan).Distinct())
            {
                if (plan.AggregateIfComplete() is { } aggregation)
                {
                    reports.Add(HookDecomposition.Report(plan, aggregation));
                }
            }

            return (reports.Count == 0 ? null : string.Join(Environment.NewLine + Environment.NewLine, reports), true);
        }, note, cancellationToken);

        return report is null ? HookOutcome.Nothing : new HookOutcome(0, new JsonObject { ["systemMessage"] = report }.ToJsonString(HookJson.Compact));
    }

    private static List<(HookPlan Plan, HookSubtask Subtask)> ChooseStopped(HookBook book, string? agentId, string? message)
    {
        var all = book.Plans.SelectMany(p => p.Subtasks.Select(s => (Plan: p, Subtask: s))).ToList();
        if (agentId is not null && all.Any(r => r.Subtask.AgentId == agentId))
        {
            // Known agent: its own subtasks only; one that has finished already stays as it is.
            return all.Where(r => r.Subtask.AgentId == agentId && !r.Subtask.IsDone).ToList();
        }

        var running = all.Where(r => r.Subtask.IsRunning && r.Subtask.AgentId is null).ToList();
        if (TaskMarker.TryFind(message, out var workflowId, out var subtaskId))
        {
            running = all.Where(r => r.Plan.WorkflowId == workflowId && r.Subtask.Id == subtaskId && r.Subtask.IsRunning).ToList();
        }

        return running.Count == 1 ? running : [];
    }

    private static IEnumerable<HookSubtask> Subtasks(HookBook book) => book.Plans.SelectMany(p => p.Subtasks);

    private static IEnumerable<HookSubtask> Undone(HookBook book) => Subtasks(book).Where(s => !s.IsDone);

    private static string? NonEmpty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;
}
