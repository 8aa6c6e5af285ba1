using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace TaskFlow.Hooks;

/// <summary>
/// Runs the session's plans live on a TaskFlow server, when <c>TASKFLOW_URL</c> names one: each
/// plan becomes an instance of its workflow whose subtask nodes are <c>agent</c> tasks, with the
/// correlation id <c>claude-code/{session}/{workflow id}</c>. After every hook event that changes
/// a subtask, the open agent tasks of the session's plans are brought level with the plan file:
/// a subtask running here is claimed there (the node shows as running), and one finished here is
/// completed or failed there with its result, so the engine runs the aggregation. The file stays
/// the record: a server that was down, or configured only later, is brought level at the next
/// event. Everything is bounded by one short timeout; a server that does not answer is noted on
/// stderr and never fails the hook.
/// </summary>
internal sealed class HookLivePlans(Uri server, string? apiKey, TimeSpan bound)
{
    /// <summary>How long a claim made by the hook holds: the longest the server allows, since a background subagent may run for hours.</summary>
    private const string ClaimLease = "24h";

    private readonly HttpClient _http = new() { Timeout = Timeout.InfiniteTimeSpan };

    /// <summary>
    /// How long a claim or completion already sent may take past the bound: its answer (a claim's
    /// lease token) must reach the file, or the task stays held there with no token here to complete it.
    /// </summary>
    private static readonly TimeSpan AnswerGrace = TimeSpan.FromSeconds(5);

    /// <summary>Cancelled <see cref="AnswerGrace"/> after the bound: for requests whose answers must not be dropped.</summary>
    private CancellationToken _answers;

    /// <summary>Time since this event's sync began: waits leave part of the bound for sending.</summary>
    private readonly System.Diagnostics.Stopwatch _elapsed = new();

    /// <summary>
    /// The server <c>TASKFLOW_URL</c> names (with <c>TASKFLOW_API_KEY</c> sent as X-Api-Key), or
    /// null. The hook's environment comes first; without the variable there, the <c>env</c> of the
    /// project's Claude Code settings (<c>.claude/settings.local.json</c>, then
    /// <c>.claude/settings.json</c>, as <c>taskflow hooks install --server</c> writes them) is read,
    /// so a hook run outside Claude Code finds the same server. Without either, nothing of HTTP is loaded.
    /// </summary>
    /// <param name="projectDirectory">The project folder: <c>CLAUDE_PROJECT_DIR</c>, else the event's <c>cwd</c>.</param>
    public static HookLivePlans? FromEnvironment(string? projectDirectory = null)
    {
        var url = Environment.GetEnvironmentVariable("TASKFLOW_URL");
        var key = Environment.GetEnvironmentVariable("TASKFLOW_API_KEY");
        if (string.IsNullOrEmpty(url) || string.IsNullOrEmpty(key))
        {
            var project = Environment.GetEnvironmentVariable("CLAUDE_PROJECT_DIR") is { Length: > 0 } claude ? claude : projectDirectory;
            if (!string.IsNullOrWhiteSpace(project))
            {
                foreach (var file in (ReadOnlySpan<string>)["settings.local.json", "settings.json"])
                {
                    var env = SettingsEnvironment(Path.Combine(project, ".claude", file));
                    url = string.IsNullOrEmpty(url) ? env?.GetValueOrDefault("TASKFLOW_URL") : url;
                    key = string.IsNullOrEmpty(key) ? env?.GetValueOrDefault("TASKFLOW_API_KEY") : key;
                }
            }
        }

        return string.IsNullOrEmpty(url) ? null : Create(url, string.IsNullOrEmpty(key) ? null : key);
    }

    /// <summary>The string members of a settings file's <c>env</c>; null when the file is missing or unreadable (Claude Code would not apply it either).</summary>
    private static Dictionary<string, string?>? SettingsEnvironment(string path)
    {
        try
        {
            if (!File.Exists(path) || JsonNode.Parse(File.ReadAllText(path), documentOptions: new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip })?["env"] is not JsonObject env)
            {
                return null;
            }

            return env.Where(p => p.Value is JsonValue).ToDictionary(p => p.Key, p => HookJson.Text(p.Value));
        }
        catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static HookLivePlans? Create(string text, string? apiKey) =>
        Uri.TryCreate(text, UriKind.Absolute, out var url) && url.Scheme is "http" or "https"
            ? new HookLivePlans(url, apiKey, TimeSpan.FromSeconds(2))
            : null;

    /// <summary>The correlation id of a plan's instance, and of its children's.</summary>
    public static string CorrelationOf(string session, HookPlan plan) => $"claude-code/{session}/{plan.WorkflowId}";

    /// <summary>
    /// Brings the server level with the session's plan file, at least up to the revision this
    /// event wrote; notes why not when it cannot. One process at a time sends (two events at once
    /// must not start a plan twice): a process that finds another at it waits, within its own
    /// bound, until the file records that its revision was sent (<see cref="HookBook.LiveRevision"/>)
    /// or the other lets go, and then sends itself. So a burst of events (eight subagents stopping
    /// at once) neither sends twice nor leaves the last change to an event that may never come.
    /// </summary>
    public async Task SyncAsync(HookPlanStore store, string session, Action<string> note, CancellationToken cancellationToken = default)
    {
        _elapsed.Restart();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(bound);
        using var answers = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        answers.CancelAfter(bound + AnswerGrace);
        _answers = answers.Token;
        var waiting = false;
        try
        {
            // This event's change is in the file by now: at this revision or below it.
            if (store.Read(session) is not { } book)
            {
                return;
            }

            var target = book.Revision;
            // A plan that ended here whose instance was still finishing when last looked at (the
            // bound ran out): this event looks again, and marks it done once it has finished.
            var (following, look) = (false, book.Plans.Any(Finishing));
            while (true)
            {
                if (store.Read(session) is not { } now || (now.LiveRevision >= target && !following && !look))
                {
                    return;
                }

                var round = Round.Done;
                if (!await store.TryWithLockAsync(session, "live", TimeSpan.Zero, async () => round = await SyncLockedAsync(store, session, note, timeout.Token).ConfigureAwait(false), timeout.Token).ConfigureAwait(false))
                {
                    waiting = true;
                    await Task.Delay(LockPause, timeout.Token).ConfigureAwait(false);
                    continue;
                }

                (waiting, look) = (false, false);

                if (round.Waiting.Count == 0 && !round.Following)
                {
                    return;
                }

                // Subtasks whose agent tasks the server has not made yet (a worker runs the start,
                // or the completion of what they depend on, a moment later), or a plan whose every
                // subtask has ended here and whose instance is still finishing: looked at again,
                // but never into the last quarter of the bound. What is left goes at the next event.
                if (_elapsed.Elapsed >= bound * 0.75)
                {
                    if (round.Waiting.Count > 0)
                    {
                        note($"taskflow hook: {server} has not made the agent tasks of {string.Join(", ", round.Waiting)} yet; their state is kept locally and sent at the next event.");
                    }

                    return;
                }

                following = round.Following;
                await Task.Delay(FollowPause, timeout.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (waiting && !cancellationToken.IsCancellationRequested)
        {
            note($"taskflow hook: another taskflow hook process of this session was still sending to {server} after {bound.TotalSeconds:0} s; this change is kept locally and sent at the next event.");
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or JsonException or LiveServerException)
        {
            note($"taskflow hook: {server} {(ex is OperationCanceledException ? $"did not answer within {bound.TotalSeconds:0} s" : $"could not be brought up to date ({ex.Message})")}; the plan is kept locally and sent at the next event.");
        }
    }

    private static bool Finishing(HookPlan plan) => !plan.LiveDone && plan.InstanceId is not null && plan.AllDone;

    /// <summary>
    /// What one pass over the file left: the subtasks (<c>workflow/subtask</c>) whose state waits
    /// for their agent tasks to appear, and whether a plan ended here is still finishing there.
    /// </summary>
    private sealed record Round(IReadOnlyList<string> Waiting, bool Following)
    {
        public static readonly Round Done = new([], false);
    }

    /// <summary>Sends what the file holds, and records how far that got.</summary>
    private async Task<Round> SyncLockedAsync(HookPlanStore store, string session, Action<string> note, CancellationToken cancellationToken)
    {
        if (store.Read(session) is not { } book)
        {
            return Round.Done;
        }

        var changes = new List<Action<HookBook>>();
        var (waiting, following, sent) = (new List<string>(), false, false);
        try
        {
            foreach (var plan in book.Plans.Where(p => !p.LiveDone))
            {
                var correlation = CorrelationOf(session, plan);
                if (plan.InstanceId is null)
                {
                    string started;
                    try
                    {
                        // A start whose answer did not arrive in time (the server was slow) may
                        // still have run there: its instance is found by the correlation id, and
                        // the plan is not started twice. The mark is recorded before the start is sent.
                        var sentBefore = plan.LiveStartSent;
                        if (!sentBefore)
                        {
                            var sending = plan.WorkflowId;
                            plan.LiveStartSent = true;
                            changes.Add(b => b.Find(sending)?.LiveStartSent = true);
                        }

                        started = (sentBefore ? await StartedAsync(correlation, cancellationToken).ConfigureAwait(false) : null)
                            ?? await StartAsync(plan, correlation, cancellationToken).ConfigureAwait(false);
                    }
                    catch (LiveServerException ex) when (ex.Refused)
                    {
                        // The server will not take this plan (its limits are lower than the hook's,
                        // say). It is not asked again at every event, and the plans after it still go.
                        var (refusedId, reason) = (plan.WorkflowId, ex.Message);
                        note($"taskflow hook: {server} refused to run plan {refusedId} ({reason}); it is kept locally only.");
                        changes.Add(b =>
                        {
                            if (b.Find(refusedId) is { } refused)
                            {
                                refused.LiveDone = true;
                                refused.LiveError = reason;
                            }
                        });
                        continue;
                    }

                    var workflowId = plan.WorkflowId;
                    plan.InstanceId = started;
                    changes.Add(b =>
                    {
                        if (b.Find(workflowId) is { InstanceId: null } stored)
                        {
                            stored.InstanceId = started;
                        }
                    });
                }

                var open = await BringLevelAsync(plan, correlation, changes, cancellationToken).ConfigureAwait(false);
                var unmade = Unmade(plan, open).ToList();
                if (unmade.Count == 0 && !plan.AllDone)
                {
                    continue;
                }

                if (await FinishedAsync(plan.InstanceId!, cancellationToken).ConfigureAwait(false))
                {
                    // Nothing more happens there: whatever has not been sent has nowhere to go.
                    var workflowId = plan.WorkflowId;
                    changes.Add(b => b.Find(workflowId)?.LiveDone = true);
                    continue;
                }

                waiting.AddRange(unmade.Select(s => $"{plan.WorkflowId}/{s.Id}"));
                // Every subtask has ended here: a subtask that waits for others becomes an agent
                // task there a moment after they complete, and there may be no later event to send
                // it, so the plan is followed, briefly, until its instance has finished.
                following |= plan.AllDone;
            }

            // A claim answered past the bound skipped what came after it: not everything was sent.
            cancellationToken.ThrowIfCancellationRequested();
            sent = waiting.Count == 0;
        }
        finally
        {
            // What reached the server is recorded even when a later request failed.
            var upTo = book.Revision;
            if (changes.Count > 0 || (sent && upTo > book.LiveRevision))
            {
                await store.UpdateAsync<bool>(session, b =>
                {
                    changes.ForEach(change => change(b));
                    if (sent)
                    {
                        // Nothing written since this pass read the file: this write holds nothing unsent either.
                        b.LiveRevision = Math.Max(b.LiveRevision, b.Revision == upTo ? upTo + 1 : upTo);
                    }

                    return (true, true);
                }, cancellationToken: CancellationToken.None).ConfigureAwait(false);
            }
        }

        return new Round(waiting, following);
    }

    private static readonly TimeSpan FollowPause = TimeSpan.FromMilliseconds(50);

    /// <summary>How often a process waiting for another to let go of the plan's server looks again.</summary>
    private static readonly TimeSpan LockPause = TimeSpan.FromMilliseconds(15);

    /// <summary>Brings every open agent task of the plan level with its subtask here; records the claims made; answers the subtasks that had an open task.</summary>
    private async Task<HashSet<string>> BringLevelAsync(HookPlan plan, string correlation, List<Action<HookBook>> changes, CancellationToken cancellationToken)
    {
        var open = new HashSet<string>(StringComparer.Ordinal);
        foreach (var task in await OpenTasksAsync(correlation, cancellationToken).ConfigureAwait(false))
        {
            open.Add(task.Subtask);
            if (plan.Find(task.Subtask) is { } subtask && await BringLevelAsync(task, subtask, cancellationToken).ConfigureAwait(false) is { } token)
            {
                var (workflowId, subtaskId) = (plan.WorkflowId, subtask.Id);
                subtask.LeaseToken = token;
                changes.Add(b => b.Find(workflowId)?.Find(subtaskId)?.LeaseToken = token);
            }
        }

        return open;
    }

    /// <summary>
    /// The subtasks started or ended here whose agent tasks the server has not made yet although it
    /// will: never claimed from here, no open task there, and everything they depend on succeeded
    /// here and was claimed there (a subtask whose dependency failed may never get a task).
    /// </summary>
    private static IEnumerable<HookSubtask> Unmade(HookPlan plan, HashSet<string> open) =>
        plan.Subtasks.Where(s =>
            (s.IsDone || s.IsRunning) && s.LeaseToken is null && !open.Contains(s.Id)
            && s.Dependencies.All(d => plan.Find(d) is { Status: Core.Decomposition.SubtaskStatus.Succeeded, LeaseToken: not null }));

    private async Task<bool> FinishedAsync(string instance, CancellationToken cancellationToken)
    {
        var view = await SendAsync(HttpMethod.Get, $"/api/instances/{Uri.EscapeDataString(instance)}", null, cancellationToken, allowConflict: true).ConfigureAwait(false);
        return view is null || HookJson.Text(view["status"])?.ToLowerInvariant() is "succeeded" or "failed" or "cancelled";
    }

    /// <summary>The id of the plan's instance when the server already has one (a root instance with its correlation id), else null.</summary>
    private async Task<string?> StartedAsync(string correlation, CancellationToken cancellationToken)
    {
        var page = await SendAsync(HttpMethod.Get, $"/api/instances?take=1000&correlationId={Uri.EscapeDataString(correlation)}", null, cancellationToken).ConfigureAwait(false);
        return page?["items"] is JsonArray items
            ? items.OfType<JsonObject>().Where(i => HookJson.Text(i["parentInstanceId"]) is null).Select(i => HookJson.Text(i["id"])).LastOrDefault(id => id is not null)
            : throw new LiveServerException("the instance list has no items array");
    }

    /// <summary>Stores the plan's workflow with agent subtasks and starts it; answers the instance id.</summary>
    private async Task<string> StartAsync(HookPlan plan, string correlation, CancellationToken cancellationToken)
    {
        var body = new JsonObject
        {
            ["task"] = new JsonObject
            {
                ["id"] = plan.WorkflowId,
                ["description"] = plan.Description.Length > 0 ? plan.Description : plan.WorkflowId,
                ["subtasks"] = new JsonArray(plan.Subtasks.Select(s => (JsonNode?)new JsonObject
                {
                    ["id"] = s.Id,
                    ["description"] = s.Description,
                    ["dependencies"] = HookJson.Strings(s.Dependencies),
                    ["weight"] = s.Weight,
                }).ToArray()),
            },
            ["aggregation"] = Core.Decomposition.AggregateActivityDescriptor.ModeName(plan.Aggregation),
            ["subtaskActivity"] = "agent",
            ["save"] = true,
        };
        var decomposed = await SendAsync(HttpMethod.Post, "/api/decompose", body, cancellationToken).ConfigureAwait(false);
        var root = HookJson.Text(decomposed?["root"]) ?? throw new LiveServerException("the decomposition named no root workflow");
        var run = new JsonObject
        {
            ["correlationId"] = correlation,
            ["input"] = new JsonObject { ["task"] = plan.TaskId, ["description"] = plan.Description },
        };
        var accepted = await SendAsync(HttpMethod.Post, $"/api/definitions/{Uri.EscapeDataString(root)}/run", run, cancellationToken).ConfigureAwait(false);
        return HookJson.Text(accepted?["id"]) ?? throw new LiveServerException("the run answered no instance id");
    }

    private async Task<List<OpenTask>> OpenTasksAsync(string correlation, CancellationToken cancellationToken)
    {
        var listed = await SendAsync(HttpMethod.Get, $"/api/agent-tasks?take=500&correlationId={Uri.EscapeDataString(correlation)}", null, cancellationToken).ConfigureAwait(false);
        return listed is JsonArray tasks
            ? tasks.OfType<JsonObject>()
                .Select(t => new OpenTask(
                    HookJson.Text(t["id"]) ?? "",
                    HookJson.Text(t["correlation"]?["subtask"]) ?? HookJson.Text(t["nodeId"]) ?? "",
                    HookJson.Text(t["status"]) ?? "",
                    HookJson.Text(t["claimedBy"])))
                .Where(t => t.Id.Length > 0)
                .ToList()
            : throw new LiveServerException("the agent task list is not a JSON array");
    }

    /// <summary>
    /// Claims, completes or fails one open agent task as the subtask's state here says; answers
    /// the lease token when a claim was made (null when nothing was claimed). A task another
    /// process moved on meanwhile (409) is left as it is.
    /// </summary>
    private async Task<string?> BringLevelAsync(OpenTask task, HookSubtask subtask, CancellationToken cancellationToken)
    {
        if (!subtask.IsDone && !subtask.IsRunning)
        {
            return null;
        }

        string? claimed = null;
        var token = subtask.LeaseToken;
        if (string.Equals(task.Status, "ready", StringComparison.OrdinalIgnoreCase) || token is null)
        {
            var claim = new JsonObject { ["agent"] = Claimant(task, subtask), ["lease"] = ClaimLease };
            // Once sent, the claim's answer is waited for past the bound (see AnswerGrace).
            cancellationToken.ThrowIfCancellationRequested();
            var answer = await SendAsync(HttpMethod.Post, $"/api/agent-tasks/{Uri.EscapeDataString(task.Id)}/claim", claim, _answers, allowConflict: true).ConfigureAwait(false);
            token = claimed = HookJson.Text(answer?["leaseToken"]);
            if (token is null)
            {
                return null;
            }
        }

        if (subtask.IsDone)
        {
            var succeeded = subtask.Status == Core.Decomposition.SubtaskStatus.Succeeded;
            var finish = new JsonObject { ["leaseToken"] = token };
            if (succeeded)
            {
                finish["output"] = OutputOf(subtask);
            }
            else
            {
                finish["error"] = subtask.Error ?? $"The subtask ended {Core.Decomposition.SubtaskAggregation.StatusName(subtask.Status)}.";
            }

            if (cancellationToken.IsCancellationRequested)
            {
                // The bound ran out while the claim was answered: its token is recorded, and the
                // completion goes at the next event.
                return claimed;
            }

            await SendAsync(HttpMethod.Post, $"/api/agent-tasks/{Uri.EscapeDataString(task.Id)}/{(succeeded ? "complete" : "fail")}", finish, _answers, allowConflict: true).ConfigureAwait(false);
        }

        return claimed;
    }

    /// <summary>
    /// Who claims the task: the agent id when known, else its type, else <c>claude-code</c>. A task
    /// this file holds no lease token for, yet already held under one of those names, was claimed
    /// from here by an event whose answer was lost, perhaps before the agent's id was known: it is
    /// claimed again under the name that holds it, and the server answers the same lease.
    /// </summary>
    private static string Claimant(OpenTask task, HookSubtask subtask)
    {
        string[] ours = [.. new[] { subtask.AgentId, subtask.Agent, "claude-code" }.OfType<string>()];
        return task.ClaimedBy is { } holder && ours.Contains(holder, StringComparer.Ordinal) ? holder : ours[0];
    }

    /// <summary>What the agent node's output holds: the subagent's result and what is known of its run.</summary>
    private static JsonObject OutputOf(HookSubtask subtask)
    {
        var output = new JsonObject { ["result"] = subtask.Output?.DeepClone() };
        if (subtask.Output is JsonObject response)
        {
            // A foreground call's tool_response carries its usage; a background one's SubagentStop does not.
            foreach (var name in new[] { "totalTokens", "totalDurationMs", "usage" })
            {
                if (response[name] is { } value)
                {
                    output[name] = value.DeepClone();
                }
            }
        }

        if (subtask.AgentId is not null)
        {
            output["agentId"] = subtask.AgentId;
        }

        if (subtask.Agent is not null)
        {
            output["agentType"] = subtask.Agent;
        }

        if (subtask.StartedAt is { } started && subtask.FinishedAt is { } finished)
        {
            output["durationMs"] = Math.Round((finished - started).TotalMilliseconds);
        }

        return output;
    }

    private async Task<JsonNode?> SendAsync(HttpMethod method, string path, JsonObject? body, CancellationToken cancellationToken, bool allowConflict = false)
    {
        using var request = new HttpRequestMessage(method, new Uri(server, path));
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
        }

        if (!string.IsNullOrEmpty(apiKey))
        {
            request.Headers.Add("X-Api-Key", apiKey);
        }

        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (allowConflict && response.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.NotFound)
        {
            return null;
        }

        if (!response.IsSuccessStatusCode)
        {
            var detail = text.Length == 0 ? "" : HookJson.Text(TryParse(text)?["detail"]) ?? text[..Math.Min(200, text.Length)];
            throw new LiveServerException(
                $"{method} {path.Split('?')[0]} answered HTTP {(int)response.StatusCode}{(detail.Length > 0 ? $": {detail}" : "")}",
                refused: response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.NotFound or HttpStatusCode.UnprocessableEntity);
        }

        return text.Length == 0 ? null : JsonNode.Parse(text);
    }

    private static JsonNode? TryParse(string text)
    {
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private sealed record OpenTask(string Id, string Subtask, string Status, string? ClaimedBy);

    /// <param name="refused">The server answered that it will not do it (a 4xx other than a conflict): asking again will not help.</param>
    private sealed class LiveServerException(string message, bool refused = false) : Exception(message)
    {
        public bool Refused { get; } = refused;
    }
}
