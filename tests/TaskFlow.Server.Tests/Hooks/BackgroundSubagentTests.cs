using System.Text.Json.Nodes;

namespace TaskFlow.Server.Tests.Hooks;

/// <summary>
/// Subagents launched in the background, as Claude Code runs them by default: PostToolUse of Agent
/// answers <c>status: "async_launched"</c> at once, and the result comes later in SubagentStop.
/// Each subtask finishes only at its own SubagentStop; the aggregation is reported once, after the last.
/// </summary>
public class BackgroundSubagentTests : IDisposable
{
    /// <summary>The process that handles the hook: <c>taskflow hook</c> here, the native executable in <see cref="NativeBackgroundSubagentTests"/>.</summary>
    internal virtual HookLauncher Launcher => HookLauncher.Cli;

    private const string Session = "7d3e1b90-2c4f-4a6e-9b1d-0f5c8e2a7d43";
    private const string ThreeItems = "Ship the release:\n- Add the orders endpoint\n- Build the orders page\n- Write the release notes";

    private readonly string _cwd = Directory.CreateTempSubdirectory("taskflow-bg-").FullName;

    private string StoreFile => Path.Combine(_cwd, ".taskflow", "hooks", Session + ".json");

    public void Dispose() => Directory.Delete(_cwd, recursive: true);

    [Fact]
    public async Task ThreeBackgroundSubagents_StoppingOutOfOrder_EachFinishesAtItsOwnStopAndTheAggregationComesOnceAfterTheLast()
    {
        var workflowId = await PlanAsync(ThreeItems);
        for (var i = 1; i <= 3; i++)
        {
            var prompt = $"[taskflow:{workflowId}/s{i}] Do subtask {i}.";
            Assert.Equal(0, (await HookAsync(HookInputs.PreToolUse(Session, _cwd, "Agent", prompt, $"toolu_s{i}"))).ExitCode);

            var launch = await HookAsync(HookInputs.AsyncLaunched(Session, _cwd, "Agent", prompt, $"toolu_s{i}", $"agent-{i}"));

            Assert.True(launch.ExitCode == 0, launch.ToString());
            Assert.Equal("", launch.Stdout.Trim());
            var launched = Subtask(workflowId, $"s{i}");
            Assert.Equal("running", launched["status"]!.GetValue<string>());
            Assert.Equal($"agent-{i}", launched["agentId"]!.GetValue<string>());
            Assert.Equal($"/tmp/claude-1000/p/tasks/agent-{i}.output", launched["outputFile"]!.GetValue<string>());
        }

        foreach (var i in new[] { 2, 3, 1 })
        {
            var start = await HookAsync(HookInputs.SubagentStart(Session, _cwd, $"agent-{i}", "general-purpose"));
            Assert.True(start.ExitCode == 0, start.ToString());
            Assert.Equal("", start.Stdout.Trim());
        }

        Assert.All(Subtasks(workflowId), s => Assert.Equal("running", s["status"]!.GetValue<string>()));
        Assert.Null(Plans().Single()["result"]);

        var order = new[] { 3, 1, 2 };
        for (var n = 0; n < order.Length; n++)
        {
            var i = order[n];
            var stop = await HookAsync(HookInputs.SubagentStop(Session, _cwd, $"Subtask {i} done.", $"agent-{i}"));

            Assert.True(stop.ExitCode == 0, stop.ToString());
            var finished = order.Take(n + 1).Select(k => $"s{k}").ToHashSet();
            foreach (var subtask in Subtasks(workflowId))
            {
                var id = subtask["id"]!.GetValue<string>();
                Assert.Equal(finished.Contains(id) ? "succeeded" : "running", subtask["status"]!.GetValue<string>());
            }

            if (n < order.Length - 1)
            {
                Assert.Equal("", stop.Stdout.Trim());
                Assert.Null(Plans().Single()["result"]);
            }
            else
            {
                Assert.Contains("All 3 subtasks succeeded.", JsonNode.Parse(stop.Stdout)!["systemMessage"]!.GetValue<string>());
            }
        }

        for (var i = 1; i <= 3; i++)
        {
            Assert.Equal($"Subtask {i} done.", Subtask(workflowId, $"s{i}")["output"]!.GetValue<string>());
        }

        // A SubagentStop repeated for a finished subagent changes nothing and reports nothing again.
        var before = await File.ReadAllBytesAsync(StoreFile);
        var again = await HookAsync(HookInputs.SubagentStop(Session, _cwd, "Subtask 2 done.", "agent-2"));
        Assert.Equal("", again.Stdout.Trim());
        Assert.Equal(before, await File.ReadAllBytesAsync(StoreFile));
    }

    [Fact]
    public async Task SubagentStart_BeforeTheLaunchReceipt_TiesTheOnlyRunningSubtaskToTheAgent()
    {
        var workflowId = await PlanAsync("- Write the docs\n- Write the tests");
        await HookAsync(HookInputs.PreToolUse(Session, _cwd, "Agent", $"[taskflow:{workflowId}/s1] Docs.", "toolu_s1"));

        var start = await HookAsync(HookInputs.SubagentStart(Session, _cwd, "agent-docs", "docs-writer"));

        Assert.True(start.ExitCode == 0, start.ToString());
        Assert.Equal("agent-docs", Subtask(workflowId, "s1")["agentId"]!.GetValue<string>());
        Assert.Equal("running", Subtask(workflowId, "s1")["status"]!.GetValue<string>());
        Assert.Equal("docs-writer", Subtask(workflowId, "s1")["agent"]!.GetValue<string>());

        // Another subagent's stop (an Explore agent of the session) is not this subtask's.
        var other = await HookAsync(HookInputs.SubagentStop(Session, _cwd, "Explored.", "agent-explore"));
        Assert.Equal("", other.Stdout.Trim());
        Assert.Equal("running", Subtask(workflowId, "s1")["status"]!.GetValue<string>());

        await HookAsync(HookInputs.SubagentStop(Session, _cwd, "Docs written.", "agent-docs"));
        Assert.Equal("succeeded", Subtask(workflowId, "s1")["status"]!.GetValue<string>());
        Assert.Equal("Docs written.", Subtask(workflowId, "s1")["output"]!.GetValue<string>());
        Assert.Equal("pending", Subtask(workflowId, "s2")["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task UnmarkedAgentCall_LaunchedInTheBackground_RunsTheWholePlanUntilItsSubagentStops()
    {
        var plan = await HookAsync(HookInputs.PreToolUse(Session, _cwd, "Agent", ThreeItems, "toolu_1", "Ship release"));
        Assert.Equal(0, plan.ExitCode);
        var workflowId = Plans().Single()["workflowId"]!.GetValue<string>();

        var launch = await HookAsync(HookInputs.AsyncLaunched(Session, _cwd, "Agent", ThreeItems, "toolu_1", "agent-all", "Ship release"));

        Assert.Equal("", launch.Stdout.Trim());
        Assert.All(Subtasks(workflowId), s => Assert.Equal("running", s["status"]!.GetValue<string>()));
        Assert.Null(Plans().Single()["result"]);

        var stop = await HookAsync(HookInputs.SubagentStop(Session, _cwd, "Released.", "agent-all"));

        Assert.Contains("All 3 subtasks succeeded.", JsonNode.Parse(stop.Stdout)!["systemMessage"]!.GetValue<string>());
        Assert.All(Subtasks(workflowId), s => Assert.Equal("Released.", s["output"]!.GetValue<string>()));
    }

    [Fact]
    public async Task PostToolUseFailure_OfABackgroundAgent_FailsItsSubtaskAndAnswersForThatEvent()
    {
        var workflowId = await PlanAsync("- Write the docs\n- Write the tests");
        await HookAsync(HookInputs.AsyncLaunched(Session, _cwd, "Agent", $"[taskflow:{workflowId}/s1] Docs.", "toolu_s1", "agent-1"));
        await HookAsync(HookInputs.SubagentStop(Session, _cwd, "Docs written.", "agent-1"));

        var failure = await HookAsync(HookInputs.PostToolUseFailure(Session, _cwd, "Agent", $"[taskflow:{workflowId}/s2] Tests.", "toolu_s2", "Agent was interrupted"));

        Assert.True(failure.ExitCode == 0, failure.ToString());
        var output = JsonNode.Parse(failure.Stdout)!["hookSpecificOutput"]!;
        Assert.Equal("PostToolUseFailure", output["hookEventName"]!.GetValue<string>());
        Assert.Contains("1 of 2 subtasks succeeded; failed: s2.", output["additionalContext"]!.GetValue<string>());
        Assert.Equal("Agent was interrupted", Subtask(workflowId, "s2")["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task EightBackgroundSubagents_LaunchedAndStoppedByEightProcessesAtOnce_AreAllRecorded()
    {
        var workflowId = await PlanAsync(string.Join("\n", Enumerable.Range(1, 8).Select(i => $"- Write module {i}")));

        var launches = await Task.WhenAll(Enumerable.Range(1, 8).Select(i =>
            HookAsync(HookInputs.AsyncLaunched(Session, _cwd, "Agent", $"[taskflow:{workflowId}/s{i}] Module {i}.", $"toolu_{i}", $"agent-{i}"))));
        Assert.All(launches, l => Assert.True(l.ExitCode == 0, l.ToString()));
        Assert.All(Subtasks(workflowId), s => Assert.Equal("running", s["status"]!.GetValue<string>()));
        Assert.Equal(Enumerable.Range(1, 8).Select(i => $"agent-{i}"), Subtasks(workflowId).Select(s => s["agentId"]!.GetValue<string>()));

        var stops = await Task.WhenAll(Enumerable.Range(1, 8).Select(i =>
            HookAsync(HookInputs.SubagentStop(Session, _cwd, $"Module {i} written.", $"agent-{i}"))));

        Assert.All(stops, s => Assert.True(s.ExitCode == 0, s.ToString()));
        Assert.All(Subtasks(workflowId), s => Assert.Equal("succeeded", s["status"]!.GetValue<string>()));
        Assert.Single(stops, s => s.Stdout.Contains("All 8 subtasks succeeded.", StringComparison.Ordinal));
        Assert.Equal(8, Plans().Single()["result"]!["counts"]!["succeeded"]!.GetValue<int>());
    }

    private Task<CliResult> HookAsync(JsonObject input) => CliProcess.HookAsync(Launcher, [], input.ToJsonString(), _cwd);

    private async Task<string> PlanAsync(string prompt)
    {
        var result = await HookAsync(HookInputs.PreToolUse(Session, _cwd, "Agent", prompt, "toolu_plan", "Ship release"));
        Assert.True(result.ExitCode == 0, result.ToString());
        return Plans().Last()["workflowId"]!.GetValue<string>();
    }

    private List<JsonNode> Plans() => JsonNode.Parse(File.ReadAllText(StoreFile))!["plans"]!.AsArray().Select(p => p!).ToList();

    private List<JsonNode> Subtasks(string workflowId) =>
        Plans().Single(p => p["workflowId"]!.GetValue<string>() == workflowId)["subtasks"]!.AsArray().Select(s => s!).ToList();

    private JsonNode Subtask(string workflowId, string id) => Subtasks(workflowId).Single(s => s["id"]!.GetValue<string>() == id);
}
