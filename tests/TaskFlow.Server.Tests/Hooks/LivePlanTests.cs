using System.Diagnostics;
using System.Text.Json.Nodes;
using TaskFlow.Server.Tests.Infrastructure;

namespace TaskFlow.Server.Tests.Hooks;

/// <summary>
/// A plan as a live workflow: with <c>TASKFLOW_URL</c> naming a real <c>taskflow serve</c>, the
/// session's plan is one instance whose subtask nodes are agent tasks; launches claim them (the
/// nodes run), stops complete them (the nodes succeed), and the engine runs the aggregation.
/// </summary>
public class LivePlanTests : IAsyncLifetime
{
    /// <summary>The process that handles the hook: <c>taskflow hook</c> here, the native executable in <see cref="NativeLivePlanTests"/>.</summary>
    internal virtual HookLauncher Launcher => HookLauncher.Cli;

    private const string Session = "5b2f8e61-9d0c-4c1e-8a7b-3e6d2f1a9c04";

    private readonly string _cwd = Directory.CreateTempSubdirectory("taskflow-live-").FullName;
    private KeyedServeProcess? _server;
    private HttpClient? _http;

    private KeyedServeProcess Server => _server!;

    private HttpClient Http => _http!;

    public async Task InitializeAsync()
    {
        _server = await KeyedServeProcess.StartAsync();
        _http = new HttpClient { BaseAddress = _server.Address };
        await WarmUpAsync(_http);
    }

    /// <summary>
    /// Runs one agent plan through a server just started, so that the first request of a test
    /// meets a server as warm as a user's: on a loaded machine the first decomposition and run of
    /// a fresh process can take longer than the hook's 2 s bound (that path, the plan sent at the
    /// next event, has tests of its own).
    /// </summary>
    private static async Task WarmUpAsync(HttpClient http)
    {
        var decompose = await http.PostAsync("/api/decompose", JsonContent(new JsonObject
        {
            ["task"] = new JsonObject
            {
                ["id"] = "warm-up",
                ["description"] = "Warm up",
                ["subtasks"] = new JsonArray(new JsonObject { ["id"] = "s1", ["description"] = "Warm up", ["dependencies"] = new JsonArray(), ["weight"] = 1 }),
            },
            ["subtaskActivity"] = "agent",
            ["save"] = true,
        }));
        var root = JsonNode.Parse(await decompose.EnsureSuccessStatusCode().Content.ReadAsStringAsync())!["root"]!.GetValue<string>();
        var run = await http.PostAsync($"/api/definitions/{root}/run", JsonContent(new JsonObject { ["correlationId"] = "warm-up" }));
        var instance = JsonNode.Parse(await run.EnsureSuccessStatusCode().Content.ReadAsStringAsync())!["id"]!.GetValue<string>();
        var task = (await WaitForAsync(
            async () => JsonNode.Parse(await http.GetStringAsync("/api/agent-tasks?correlationId=warm-up"))!.AsArray(),
            tasks => tasks.Count == 1,
            "the warm-up's agent task"))[0]!["id"]!.GetValue<string>();
        var claim = await http.PostAsync($"/api/agent-tasks/{task}/claim", JsonContent(new JsonObject { ["agent"] = "warm-up" }));
        var token = JsonNode.Parse(await claim.EnsureSuccessStatusCode().Content.ReadAsStringAsync())!["leaseToken"]!.GetValue<string>();
        (await http.PostAsync($"/api/agent-tasks/{task}/complete", JsonContent(new JsonObject { ["leaseToken"] = token, ["output"] = "warm" }))).EnsureSuccessStatusCode();
        await WaitForAsync(
            async () => JsonNode.Parse(await http.GetStringAsync($"/api/instances/{instance}"))!,
            v => v["status"]!.GetValue<string>() != "Running",
            "the warm-up to finish");
    }

    private static StringContent JsonContent(JsonObject body) => new(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json");

    public async Task DisposeAsync()
    {
        _http?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        Directory.Delete(_cwd, recursive: true);
    }

    [Fact]
    public async Task ThreeBackgroundSubagents_TheSessionIsOneInstance_NodesGoFromWaitingToRunningToSucceeded_AndTheEngineAggregates()
    {
        var plan = await HookAsync(HookInputs.PreToolUse(Session, _cwd, "Agent", "Ship the release:\n- Add the orders endpoint\n- Build the orders page\n- Write the release notes", "toolu_plan", "Ship release"));
        Assert.True(plan.ExitCode == 0, plan.ToString());
        await EndOfTurnIfNotedAsync([plan]);
        var stored = Plans().Single();
        var workflowId = stored["workflowId"]!.GetValue<string>();
        var instance = stored["instanceId"]!.GetValue<string>();
        var correlation = $"claude-code/{Session}/{workflowId}";

        var view = await GetAsync($"/api/instances/{instance}");
        Assert.Equal(correlation, view["correlationId"]!.GetValue<string>());
        var ready = await WaitForAsync(() => TasksAsync(correlation), tasks => tasks.Count == 3, "three agent tasks");
        Assert.All(ready, t => Assert.Equal("ready", t["status"]!.GetValue<string>()));

        for (var i = 1; i <= 3; i++)
        {
            // The Agent call for a subtask starts it: its node is claimed, so it shows as running.
            // The agent's id is not known yet (the launch receipt brings it).
            var prompt = $"[taskflow:{workflowId}/s{i}] Do subtask {i}.";
            var call = await HookAsync(HookInputs.PreToolUse(Session, _cwd, "Agent", prompt, $"toolu_s{i}"));
            Assert.True(call.ExitCode == 0, call.ToString());
            await EndOfTurnIfNotedAsync([call]);
            var task = (await TasksAsync(correlation)).Single(t => t["nodeId"]!.GetValue<string>() == $"s{i}");
            Assert.Equal(("claimed", "claude-code"), (task["status"]!.GetValue<string>(), task["claimedBy"]!.GetValue<string>()));

            var launch = await HookAsync(HookInputs.AsyncLaunched(Session, _cwd, "Agent", prompt, $"toolu_s{i}", $"agent-{i}"));
            Assert.True(launch.ExitCode == 0, launch.ToString());
            await EndOfTurnIfNotedAsync([launch]);
            Assert.Equal("claimed", (await TasksAsync(correlation)).Single(t => t["nodeId"]!.GetValue<string>() == $"s{i}")["status"]!.GetValue<string>());
        }

        foreach (var i in new[] { 2, 3, 1 })
        {
            Assert.Equal(0, (await HookAsync(HookInputs.SubagentStart(Session, _cwd, $"agent-{i}", "general-purpose"))).ExitCode);
        }

        var order = new[] { 3, 1, 2 };
        for (var n = 0; n < order.Length; n++)
        {
            var stop = await HookAsync(HookInputs.SubagentStop(Session, _cwd, $"Subtask {order[n]} done.", $"agent-{order[n]}"));
            Assert.True(stop.ExitCode == 0, stop.ToString());
            await EndOfTurnIfNotedAsync([stop]);

            // The completed agent task resumes its node through the engine's queue: a moment later.
            var stopped = $"s{order[n]}";
            var nodes = (await WaitForAsync(
                () => GetAsync($"/api/instances/{instance}"),
                v => v["nodes"]!.AsArray().Any(x => x!["nodeId"]!.GetValue<string>() == stopped && x["status"]!.GetValue<string>() == "Succeeded"),
                $"{stopped} to succeed"))["nodes"]!.AsArray();
            foreach (var i in new[] { 1, 2, 3 })
            {
                var status = nodes.Single(x => x!["nodeId"]!.GetValue<string>() == $"s{i}")!["status"]!.GetValue<string>();
                Assert.Equal(order.Take(n + 1).Contains(i) ? "Succeeded" : "Waiting", status);
            }
        }

        var finished = await WaitForAsync(() => GetAsync($"/api/instances/{instance}"), v => v["status"]!.GetValue<string>() != "Running", "the instance to finish");
        Assert.Equal("Succeeded", finished["status"]!.GetValue<string>());
        var s1 = finished["nodes"]!.AsArray().Single(x => x!["nodeId"]!.GetValue<string>() == "s1")!;
        Assert.Equal("Subtask 1 done.", s1["output"]!["result"]!.GetValue<string>());
        Assert.Equal("agent-1", s1["output"]!["agentId"]!.GetValue<string>());
        Assert.Equal("general-purpose", s1["output"]!["agentType"]!.GetValue<string>());
        Assert.Contains("\"succeeded\":3", finished["output"]!.ToJsonString(), StringComparison.Ordinal);
        if (Plans().Single()["liveDone"] is null)
        {
            // The instance finished after the last stop's bound: the next event sees that it did.
            var turn = await HookAsync(HookInputs.Stop(Session, _cwd));
            Assert.True(turn.ExitCode == 0 && turn.Stderr.Trim().Length == 0, turn.ToString());
        }

        Assert.True(Plans().Single()["liveDone"]!.GetValue<bool>());
        Assert.Empty(await TasksAsync(correlation));
    }

    [Fact]
    public async Task EightSubagentsLaunchedAndStoppedByEightProcessesAtOnce_AllReachTheServer()
    {
        var plan = await HookAsync(HookInputs.PreToolUse(Session, _cwd, "Agent", string.Join("\n", Enumerable.Range(1, 8).Select(i => $"- Write module {i}")), "toolu_plan", "Modules"));
        Assert.True(plan.ExitCode == 0, plan.ToString());
        var stored = Plans().Single();
        var (workflowId, instance) = (stored["workflowId"]!.GetValue<string>(), stored["instanceId"]!.GetValue<string>());
        var correlation = $"claude-code/{Session}/{workflowId}";
        await WaitForAsync(() => TasksAsync(correlation), tasks => tasks.Count == 8, "eight agent tasks");

        var launches = await Task.WhenAll(Enumerable.Range(1, 8).Select(i =>
            HookAsync(HookInputs.AsyncLaunched(Session, _cwd, "Agent", $"[taskflow:{workflowId}/s{i}] Module {i}.", $"toolu_{i}", $"agent-{i}"))));
        Assert.All(launches, l => Assert.True(l.ExitCode == 0, l.ToString()));
        await EndOfTurnIfNotedAsync(launches);
        var claimed = await TasksAsync(correlation);
        Assert.Equal(Enumerable.Range(1, 8).Select(i => ($"s{i}", "claimed", $"agent-{i}")), claimed
            .Select(t => (t["nodeId"]!.GetValue<string>(), t["status"]!.GetValue<string>(), t["claimedBy"]!.GetValue<string>()))
            .OrderBy(t => t.Item1, StringComparer.Ordinal));

        var stops = await Task.WhenAll(Enumerable.Range(1, 8).Select(i =>
            HookAsync(HookInputs.SubagentStop(Session, _cwd, $"Module {i} written.", $"agent-{i}"))));

        Assert.All(stops, s => Assert.True(s.ExitCode == 0, s.ToString()));
        await EndOfTurnIfNotedAsync(stops);

        var finished = await WaitForAsync(() => GetAsync($"/api/instances/{instance}"), v => v["status"]!.GetValue<string>() != "Running", "the instance to finish");
        Assert.Equal("Succeeded", finished["status"]!.GetValue<string>());
        Assert.All(Enumerable.Range(1, 8), i => Assert.Equal(
            $"Module {i} written.",
            finished["nodes"]!.AsArray().Single(x => x!["nodeId"]!.GetValue<string>() == $"s{i}")!["output"]!["result"]!.GetValue<string>()));
    }

    [Fact]
    public async Task StopWhileAnotherProcessSends_WaitsForItAndThenSendsItself()
    {
        var (workflowId, instance) = await PlanWithClaimedFirstSubtaskAsync();

        // Another hook process holds the session's server lock (a slow server, a burst of events)
        // for longer than it takes this stop to record its change.
        var held = new FileStream(Path.Combine(_cwd, ".taskflow", "hooks", Session + ".json.live.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        var release = Task.Delay(TimeSpan.FromMilliseconds(600)).ContinueWith(_ => held.Dispose(), TaskScheduler.Default);
        var stop = await HookAsync(HookInputs.SubagentStop(Session, _cwd, "Docs written.", "agent-docs"));
        await release;

        Assert.True(stop.ExitCode == 0, stop.ToString());
        Assert.Equal("", stop.Stderr.Trim());
        // The stop's change reached the server (the task completed; its node resumes a moment later),
        // and the file records that it holds nothing unsent.
        Assert.DoesNotContain(await TasksAsync($"claude-code/{Session}/{workflowId}"), t => t["nodeId"]!.GetValue<string>() == "s1");
        await WaitForAsync(
            () => GetAsync($"/api/instances/{instance}"),
            v => v["nodes"]!.AsArray().Any(x => x!["nodeId"]!.GetValue<string>() == "s1" && x["status"]!.GetValue<string>() == "Succeeded"),
            "s1 to succeed");
        var book = JsonNode.Parse(File.ReadAllText(Path.Combine(_cwd, ".taskflow", "hooks", Session + ".json")))!;
        Assert.Equal(book["revision"]!.GetValue<long>(), book["liveRevision"]!.GetValue<long>());
    }

    [Fact]
    public async Task SubagentStoppedWhileTheServerWasDown_IsSentAtTheEndOfTheTurn()
    {
        var (workflowId, instance) = await PlanWithClaimedFirstSubtaskAsync();
        var down = new Dictionary<string, string> { ["TASKFLOW_URL"] = $"http://127.0.0.1:{TaskFlow.Server.Tests.Deployment.TaskFlowProcess.FreePort()}" };

        var stop = await CliProcess.HookAsync(Launcher, [], HookInputs.SubagentStop(Session, _cwd, "Docs written.", "agent-docs").ToJsonString(), _cwd, down);
        Assert.True(stop.ExitCode == 0, stop.ToString());
        Assert.Contains("sent at the next event", stop.Stderr, StringComparison.Ordinal);
        Assert.Equal("claimed", (await TasksAsync($"claude-code/{Session}/{workflowId}")).Single(t => t["nodeId"]!.GetValue<string>() == "s1")["status"]!.GetValue<string>());

        // The main agent ends its turn with the server back: the stop reaches it then.
        var turn = await HookAsync(HookInputs.Stop(Session, _cwd));

        Assert.True(turn.ExitCode == 0, turn.ToString());
        Assert.Equal("", turn.Stdout.Trim());
        Assert.Equal("", turn.Stderr.Trim());
        var nodes = (await WaitForAsync(
            () => GetAsync($"/api/instances/{instance}"),
            v => v["nodes"]!.AsArray().Any(x => x!["nodeId"]!.GetValue<string>() == "s1" && x["status"]!.GetValue<string>() == "Succeeded"),
            "s1 to succeed"))["nodes"]!.AsArray();
        Assert.Equal("Docs written.", nodes.Single(x => x!["nodeId"]!.GetValue<string>() == "s1")!["output"]!["result"]!.GetValue<string>());
    }

    [Fact]
    public async Task FileWhoseLiveRevisionIsPastItsRevision_ChangesAreStillSent()
    {
        var (_, instance) = await PlanWithClaimedFirstSubtaskAsync();
        // A file edited by hand: it claims more was sent than it ever held.
        var file = Path.Combine(_cwd, ".taskflow", "hooks", Session + ".json");
        var book = JsonNode.Parse(File.ReadAllText(file))!;
        book["liveRevision"] = 1_000_000;
        File.WriteAllText(file, book.ToJsonString());

        var stop = await HookAsync(HookInputs.SubagentStop(Session, _cwd, "Docs written.", "agent-docs"));

        Assert.True(stop.ExitCode == 0, stop.ToString());
        await EndOfTurnIfNotedAsync([stop]);
        await WaitForAsync(
            () => GetAsync($"/api/instances/{instance}"),
            v => v["nodes"]!.AsArray().Any(x => x!["nodeId"]!.GetValue<string>() == "s1" && x["status"]!.GetValue<string>() == "Succeeded"),
            "s1 to succeed");
    }

    /// <summary>A two-subtask plan on the server whose s1 was launched in the background as agent-docs (its task claimed there).</summary>
    private async Task<(string WorkflowId, string Instance)> PlanWithClaimedFirstSubtaskAsync()
    {
        var plan = await HookAsync(HookInputs.PreToolUse(Session, _cwd, "Agent", "- Write the docs\n- Write the tests", "toolu_plan", "Docs"));
        Assert.True(plan.ExitCode == 0, plan.ToString());
        var stored = Plans().Single();
        var (workflowId, instance) = (stored["workflowId"]!.GetValue<string>(), stored["instanceId"]!.GetValue<string>());
        var launch = await HookAsync(HookInputs.AsyncLaunched(Session, _cwd, "Agent", $"[taskflow:{workflowId}/s1] Docs.", "toolu_s1", "agent-docs"));
        Assert.True(launch.ExitCode == 0, launch.ToString());
        await EndOfTurnIfNotedAsync([launch]);
        Assert.Equal("claimed", (await TasksAsync($"claude-code/{Session}/{workflowId}")).Single(t => t["nodeId"]!.GetValue<string>() == "s1")["status"]!.GetValue<string>());
        return (workflowId, instance);
    }

    [Fact]
    public async Task ServerConfiguredOnlyAfterThePlanWasMade_TheNextEventStartsItWithWhatTheFileHolds()
    {
        var plan = await CliProcess.HookAsync(Launcher, [], HookInputs.PreToolUse(Session, _cwd, "Agent", "- Write the docs\n- Write the tests", "toolu_plan", "Docs").ToJsonString(), _cwd);
        Assert.True(plan.ExitCode == 0, plan.ToString());
        var workflowId = Plans().Single()["workflowId"]!.GetValue<string>();
        await CliProcess.HookAsync(Launcher, [], HookInputs.AsyncLaunched(Session, _cwd, "Agent", $"[taskflow:{workflowId}/s1] Docs.", "toolu_s1", "agent-docs").ToJsonString(), _cwd);
        await CliProcess.HookAsync(Launcher, [], HookInputs.SubagentStop(Session, _cwd, "Docs written.", "agent-docs").ToJsonString(), _cwd);
        Assert.Null(Plans().Single()["instanceId"]);

        // Now with the server: the launch of s2 starts the plan there, with s1 already done.
        var launch = await HookAsync(HookInputs.AsyncLaunched(Session, _cwd, "Agent", $"[taskflow:{workflowId}/s2] Tests.", "toolu_s2", "agent-tests"));

        Assert.True(launch.ExitCode == 0, launch.ToString());
        if (launch.Stderr.Contains("sent at the next event", StringComparison.Ordinal))
        {
            // On a loaded machine the start, or the agent tasks it makes, did not come within the
            // hook's bound: what is left is sent at the next event, as documented, and the plan
            // is not started twice there.
            var next = await HookAsync(HookInputs.Stop(Session, _cwd));
            Assert.True(next.ExitCode == 0 && next.Stderr.Trim().Length == 0, next.ToString());
        }
        else
        {
            Assert.Equal("", launch.Stderr.Trim());
        }

        var instance = Plans().Single()["instanceId"]!.GetValue<string>();
        Assert.Equal([instance], await RootsAsync($"claude-code/{Session}/{workflowId}"));
        var nodes = (await WaitForAsync(
            () => GetAsync($"/api/instances/{instance}"),
            v => v["nodes"]!.AsArray().Any(x => x!["nodeId"]!.GetValue<string>() == "s1" && x["status"]!.GetValue<string>() == "Succeeded"),
            "s1 to succeed"))["nodes"]!.AsArray();
        Assert.Equal("Docs written.", nodes.Single(x => x!["nodeId"]!.GetValue<string>() == "s1")!["output"]!["result"]!.GetValue<string>());
        var s2 = (await TasksAsync($"claude-code/{Session}/{workflowId}")).Single();
        Assert.Equal(("s2", "claimed"), (s2["nodeId"]!.GetValue<string>(), s2["status"]!.GetValue<string>()));
    }

    [Fact]
    public async Task StartWhoseAnswerWasLost_TheNextEventFindsItsInstance_AndDoesNotStartThePlanTwice()
    {
        var plan = await HookAsync(HookInputs.PreToolUse(Session, _cwd, "Agent", "- Write the docs\n- Write the tests", "toolu_plan", "Docs"));
        Assert.True(plan.ExitCode == 0, plan.ToString());
        var workflowId = Plans().Single()["workflowId"]!.GetValue<string>();
        var correlation = $"claude-code/{Session}/{workflowId}";
        var started = (await WaitForAsync(() => RootsAsync(correlation), r => r.Count == 1, "the plan's instance")).Single();

        // The answer to the start never reached the file (the hook's bound ran out as the server
        // answered): the file holds what it held then, the start marked as sent and no instance id.
        var file = Path.Combine(_cwd, ".taskflow", "hooks", Session + ".json");
        var book = JsonNode.Parse(File.ReadAllText(file))!;
        book["plans"]![0]!.AsObject().Remove("instanceId");
        book["plans"]![0]!["liveStartSent"] = true;
        File.WriteAllText(file, book.ToJsonString());

        var launch = await HookAsync(HookInputs.AsyncLaunched(Session, _cwd, "Agent", $"[taskflow:{workflowId}/s1] Docs.", "toolu_s1", "agent-docs"));

        Assert.True(launch.ExitCode == 0, launch.ToString());
        Assert.Equal(started, Plans().Single()["instanceId"]!.GetValue<string>());
        Assert.Equal([started], await RootsAsync(correlation));
        var s1 = (await TasksAsync(correlation)).Single(t => t["nodeId"]!.GetValue<string>() == "s1");
        Assert.Equal("claimed", s1["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task ClaimWhoseAnswerWasLostBeforeTheAgentIdWasKnown_IsClaimedAgainUnderTheSameName_AndTheStopCompletesIt()
    {
        var plan = await HookAsync(HookInputs.PreToolUse(Session, _cwd, "Agent", "- Write the docs\n- Write the tests", "toolu_plan", "Docs"));
        Assert.True(plan.ExitCode == 0, plan.ToString());
        await EndOfTurnIfNotedAsync([plan]);
        var stored = Plans().Single();
        var (workflowId, instance) = (stored["workflowId"]!.GetValue<string>(), stored["instanceId"]!.GetValue<string>());
        var correlation = $"claude-code/{Session}/{workflowId}";
        await WaitForAsync(() => TasksAsync(correlation), tasks => tasks.Count == 2, "two agent tasks");

        // The Agent call claims s1 before the agent's id is known, under the default name.
        var prompt = $"[taskflow:{workflowId}/s1] Docs.";
        var call = await HookAsync(HookInputs.PreToolUse(Session, _cwd, "Agent", prompt, "toolu_s1"));
        Assert.True(call.ExitCode == 0, call.ToString());
        await EndOfTurnIfNotedAsync([call]);
        var claimed = (await TasksAsync(correlation)).Single(t => t["nodeId"]!.GetValue<string>() == "s1");
        Assert.Equal(("claimed", "claude-code"), (claimed["status"]!.GetValue<string>(), claimed["claimedBy"]!.GetValue<string>()));

        // The claim's answer never reached the file (the hook process was killed as it arrived).
        var file = Path.Combine(_cwd, ".taskflow", "hooks", Session + ".json");
        var book = JsonNode.Parse(File.ReadAllText(file))!;
        var s1 = book["plans"]![0]!["subtasks"]!.AsArray().Single(x => x!["id"]!.GetValue<string>() == "s1")!.AsObject();
        Assert.True(s1.Remove("leaseToken"));
        File.WriteAllText(file, book.ToJsonString());

        // Now the agent's id is known; the task is still held under the name the lost claim used.
        var launch = await HookAsync(HookInputs.AsyncLaunched(Session, _cwd, "Agent", prompt, "toolu_s1", "agent-docs"));
        Assert.True(launch.ExitCode == 0, launch.ToString());
        await EndOfTurnIfNotedAsync([launch]);
        var subtask = Plans().Single()["subtasks"]!.AsArray().Single(x => x!["id"]!.GetValue<string>() == "s1")!;
        Assert.NotNull(subtask["leaseToken"]);

        var stop = await HookAsync(HookInputs.SubagentStop(Session, _cwd, "Docs written.", "agent-docs"));
        Assert.True(stop.ExitCode == 0, stop.ToString());
        await EndOfTurnIfNotedAsync([stop]);
        var nodes = (await WaitForAsync(
            () => GetAsync($"/api/instances/{instance}"),
            v => v["nodes"]!.AsArray().Any(x => x!["nodeId"]!.GetValue<string>() == "s1" && x["status"]!.GetValue<string>() == "Succeeded"),
            "s1 to succeed"))["nodes"]!.AsArray();
        Assert.Equal("agent-docs", nodes.Single(x => x!["nodeId"]!.GetValue<string>() == "s1")!["output"]!["agentId"]!.GetValue<string>());
    }

    [Fact]
    public async Task PlanTheServerRefuses_IsNotedAndNotAskedAgain_AndTheNextPlanStillRuns()
    {
        // The server allows 3 subtasks; the hook's own limit allows the first plan's 4.
        await using var strict = await KeyedServeProcess.StartAsync(new Dictionary<string, string> { ["TaskFlow__Decomposition__MaxSubtasks"] = "3" });
        using (var warm = new HttpClient { BaseAddress = strict.Address })
        {
            await WarmUpAsync(warm);
        }

        var environment = new Dictionary<string, string> { ["TASKFLOW_URL"] = strict.Address.ToString() };

        var big = await CliProcess.HookAsync(Launcher, [], HookInputs.PreToolUse(Session, _cwd, "Agent", "- One\n- Two\n- Three\n- Four", "toolu_big", "Big").ToJsonString(), _cwd, environment);

        Assert.True(big.ExitCode == 0, big.ToString());
        Assert.Contains("hookSpecificOutput", big.Stdout, StringComparison.Ordinal);
        Assert.Contains("refused to run plan", big.Stderr, StringComparison.Ordinal);
        Assert.Contains("HTTP 400", big.Stderr, StringComparison.Ordinal);
        var refused = Plans().Single();
        Assert.True(refused["liveDone"]!.GetValue<bool>());
        Assert.Null(refused["instanceId"]);

        var small = await CliProcess.HookAsync(Launcher, [], HookInputs.PreToolUse(Session, _cwd, "Agent", "- Write the docs\n- Write the tests", "toolu_small", "Small").ToJsonString(), _cwd, environment);

        Assert.True(small.ExitCode == 0, small.ToString());
        Assert.DoesNotContain("refused", small.Stderr, StringComparison.Ordinal);
        Assert.NotNull(Plans().Last()["instanceId"]);
        Assert.Null(Plans().First()["instanceId"]);
    }

    [Fact]
    public async Task ServerAndKeyWrittenByHooksInstall_WithNothingInTheEnvironment_ThePlanRunsThere()
    {
        var install = await CliProcess.TaskFlowAsync(["hooks", "install", _cwd, "--command", "taskflow hook", "--server", Server.DirectAddress.ToString(), "--api-key", TaskFlowApp.Key], null, _cwd);
        Assert.True(install.ExitCode == 0, install.ToString());

        // No TASKFLOW_URL or TASKFLOW_API_KEY: the hook finds both in the project's settings (the key
        // in settings.local.json); without the key the server would answer 401.
        var plan = await CliProcess.HookAsync(Launcher, [], HookInputs.PreToolUse(Session, _cwd, "Agent", "- Write the docs\n- Write the tests", "toolu_plan", "Docs").ToJsonString(), _cwd);

        Assert.True(plan.ExitCode == 0, plan.ToString());
        Assert.DoesNotContain("could not be brought up to date", plan.Stderr, StringComparison.Ordinal);
        var instance = Plans().Single()["instanceId"]!.GetValue<string>();
        var run = await GetAsync($"/api/instances/{instance}");
        Assert.Equal($"claude-code/{Session}/{Plans().Single()["workflowId"]!.GetValue<string>()}", run["correlationId"]!.GetValue<string>());
    }

    [Fact]
    public async Task ServerDown_TheHookStillAnswersWithinItsBound_AndNotesIt()
    {
        var environment = new Dictionary<string, string> { ["TASKFLOW_URL"] = $"http://127.0.0.1:{TaskFlow.Server.Tests.Deployment.TaskFlowProcess.FreePort()}" };

        var plan = await CliProcess.HookAsync(Launcher, [], HookInputs.PreToolUse(Session, _cwd, "Agent", "- Write the docs\n- Write the tests", "toolu_plan", "Docs").ToJsonString(), _cwd, environment);

        Assert.True(plan.ExitCode == 0, plan.ToString());
        Assert.Contains("hookSpecificOutput", plan.Stdout, StringComparison.Ordinal);
        Assert.Contains("the plan is kept locally and sent at the next event", plan.Stderr, StringComparison.Ordinal);
        Assert.Null(Plans().Single()["instanceId"]);
        // The start was sent (it may have run there): the next event looks for its instance first.
        Assert.True(Plans().Single()["liveStartSent"]!.GetValue<bool>());
    }

    /// <summary>
    /// What a loaded machine may make of a burst of events: a hook whose bound ran out says on
    /// stderr that what it holds is sent at the next event; the end of the turn (Stop) is that
    /// event, and it must then send everything without a word. Anything else on stderr is a fault.
    /// </summary>
    private async Task EndOfTurnIfNotedAsync(IReadOnlyList<CliResult> results)
    {
        var noted = results.Where(r => r.Stderr.Trim().Length > 0).ToList();
        if (noted.Count == 0)
        {
            return;
        }

        Assert.All(noted, r => Assert.Contains("sent at the next event", r.Stderr, StringComparison.Ordinal));
        var turn = await HookAsync(HookInputs.Stop(Session, _cwd));
        Assert.True(turn.ExitCode == 0 && turn.Stderr.Trim().Length == 0, turn.ToString());
    }

    private Task<CliResult> HookAsync(JsonObject input) =>
        CliProcess.HookAsync(Launcher, [], input.ToJsonString(), _cwd, new Dictionary<string, string> { ["TASKFLOW_URL"] = Server.Address.ToString() });

    private async Task<JsonNode> GetAsync(string path)
    {
        var text = await Http.GetStringAsync(path);
        return JsonNode.Parse(text)!;
    }

    /// <summary>The ids of the root instances with this correlation id (child instances inherit it).</summary>
    private async Task<List<string>> RootsAsync(string correlation) =>
        (await GetAsync($"/api/instances?correlationId={Uri.EscapeDataString(correlation)}"))["items"]!.AsArray()
            .Where(i => i!["parentInstanceId"] is null).Select(i => i!["id"]!.GetValue<string>()).ToList();

    private async Task<List<JsonNode>> TasksAsync(string correlation) =>
        (await GetAsync($"/api/agent-tasks?correlationId={Uri.EscapeDataString(correlation)}")).AsArray().Select(t => t!).ToList();

    private static async Task<T> WaitForAsync<T>(Func<Task<T>> read, Func<T, bool> done, string what)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }

            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(30), $"waited 30 s for {what}; last: {value}");
            await Task.Delay(50);
        }
    }

    private List<JsonNode> Plans() =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(_cwd, ".taskflow", "hooks", Session + ".json")))!["plans"]!.AsArray().Select(p => p!).ToList();
}
