using System.Text.Json.Nodes;

namespace TaskFlow.Server.Tests.Hooks;

/// <summary>
/// <c>taskflow hook</c> as Claude Code runs it: the real built process, one hook input on stdin,
/// the answer on stdout, the plan in <c>CWD/.taskflow/hooks/SESSION.json</c>.
/// </summary>
public class HookCommandTests : IDisposable
{
    /// <summary>The process that handles the hook: <c>taskflow hook</c> here, the native executable in <see cref="NativeHookCommandTests"/>.</summary>
    internal virtual HookLauncher Launcher => HookLauncher.Cli;

    private const string Session = "5f0c2a6e-8d51-4c1b-9a43-2b7f1e9d0c11";
    private const string ThreeItems = "Ship the release:\n- Add the orders endpoint\n- Build the orders page\n- Write the release notes";

    private readonly string _cwd = Directory.CreateTempSubdirectory("taskflow-hook-").FullName;

    private string StoreFile => Path.Combine(_cwd, ".taskflow", "hooks", Session + ".json");

    public void Dispose() => Directory.Delete(_cwd, recursive: true);

    [Theory]
    [InlineData("Task")]
    [InlineData("Agent")]
    public async Task PreToolUse_TaskOrAgentWithAList_RegistersThePlanAndListsSubtasksWithMarkers(string tool)
    {
        var result = await HookAsync(HookInputs.PreToolUse(Session, _cwd, tool, ThreeItems, "toolu_1", "Ship release"));

        Assert.True(result.ExitCode == 0, result.ToString());
        var output = JsonNode.Parse(result.Stdout)!["hookSpecificOutput"]!;
        Assert.Equal("PreToolUse", output["hookEventName"]!.GetValue<string>());
        var context = output["additionalContext"]!.GetValue<string>();
        var plan = Assert.Single(Plans());
        var workflowId = plan["workflowId"]!.GetValue<string>();
        Assert.StartsWith("ship-release-", workflowId);
        Assert.Contains(workflowId, context);
        Assert.Contains("[s1] Add the orders endpoint", context);
        Assert.Contains("[s2] Build the orders page", context);
        Assert.Contains("[s3] Write the release notes", context);
        Assert.Contains($"[taskflow:{workflowId}/s1]", context);
        Assert.Equal(["s1", "s2", "s3"], plan["subtasks"]!.AsArray().Select(s => s!["id"]!.GetValue<string>()));
        Assert.All(plan["subtasks"]!.AsArray(), s => Assert.Equal("pending", s!["status"]!.GetValue<string>()));
        Assert.Equal("toolu_1", plan["toolUseId"]!.GetValue<string>());
    }

    [Fact]
    public async Task MarkedTasks_EachSubtaskRunsAndReports_LastReportCarriesTheAggregation()
    {
        var workflowId = await PlanAsync();
        for (var i = 1; i <= 3; i++)
        {
            var prompt = $"[taskflow:{workflowId}/s{i}] Do subtask {i}.";
            var pre = await HookAsync(HookInputs.PreToolUse(Session, _cwd, "Task", prompt, $"toolu_s{i}"));
            Assert.True(pre.ExitCode == 0, pre.ToString());
            Assert.Contains($"subtask s{i}", JsonNode.Parse(pre.Stdout)!["hookSpecificOutput"]!["additionalContext"]!.GetValue<string>());
            Assert.Equal("running", Subtask(workflowId, $"s{i}")["status"]!.GetValue<string>());
            Assert.Single(Plans()); // a marked Task is not planned again

            var post = await HookAsync(HookInputs.PostToolUse(Session, _cwd, "Task", prompt, $"toolu_s{i}", $"Done {i}.", isError: i == 2));
            Assert.True(post.ExitCode == 0, post.ToString());
            if (i < 3)
            {
                Assert.Equal("", post.Stdout.Trim());
            }
            else
            {
                var output = JsonNode.Parse(post.Stdout)!["hookSpecificOutput"]!;
                Assert.Equal("PostToolUse", output["hookEventName"]!.GetValue<string>());
                Assert.Contains("2 of 3 subtasks succeeded; failed: s2.", output["additionalContext"]!.GetValue<string>());
            }
        }

        Assert.Equal("succeeded", Subtask(workflowId, "s1")["status"]!.GetValue<string>());
        Assert.Equal("failed", Subtask(workflowId, "s2")["status"]!.GetValue<string>());
        Assert.Equal("Done 1.", Subtask(workflowId, "s1")["output"]!["content"]![0]!["text"]!.GetValue<string>());
        var aggregation = Plans().Single()["result"]!;
        Assert.False(aggregation["succeeded"]!.GetValue<bool>());
        Assert.Equal(2, aggregation["counts"]!["succeeded"]!.GetValue<int>());
        Assert.Equal(1, aggregation["counts"]!["failed"]!.GetValue<int>());
    }

    [Fact]
    public async Task PostToolUse_OfThePlannedTaskCallItself_RecordsItsAnswerForEverySubtask()
    {
        var workflowId = await PlanAsync();

        var post = await HookAsync(HookInputs.PostToolUse(Session, _cwd, "Task", ThreeItems, "toolu_1", "All three done."));

        Assert.True(post.ExitCode == 0, post.ToString());
        Assert.Contains("All 3 subtasks succeeded.", JsonNode.Parse(post.Stdout)!["hookSpecificOutput"]!["additionalContext"]!.GetValue<string>());
        Assert.True(Plans().Single()["result"]!["succeeded"]!.GetValue<bool>());
        Assert.Equal("All three done.", Subtask(workflowId, "s3")["output"]!["content"]![0]!["text"]!.GetValue<string>());
    }

    [Fact]
    public async Task ConcurrentPostToolUse_ForDifferentSubtasksOfOnePlan_RecordsEveryOne()
    {
        var items = string.Join("\n", Enumerable.Range(1, 8).Select(i => $"- Write module {i}"));
        var workflowId = await PlanAsync(items);

        // Claude Code runs the hooks of parallel Task calls at the same time: eight processes at once.
        var posts = await Task.WhenAll(Enumerable.Range(1, 8).Select(i =>
            HookAsync(HookInputs.PostToolUse(Session, _cwd, "Task", $"[taskflow:{workflowId}/s{i}] Write module {i}.", $"toolu_{i}", $"Module {i} written."))));

        Assert.All(posts, p => Assert.True(p.ExitCode == 0, p.ToString()));
        var plan = Plans().Single();
        Assert.All(plan["subtasks"]!.AsArray(), s => Assert.Equal("succeeded", s!["status"]!.GetValue<string>()));
        Assert.Equal(8, plan["result"]!["counts"]!["succeeded"]!.GetValue<int>());

        // Exactly the last writer saw every result and reported the aggregation.
        Assert.Single(posts, p => p.Stdout.Contains("All 8 subtasks succeeded.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SubagentStop_WithOneRunningSubtask_RecordsItsLastMessage()
    {
        var workflowId = await PlanAsync();
        await HookAsync(HookInputs.PreToolUse(Session, _cwd, "Task", $"[taskflow:{workflowId}/s2] Build the page.", "toolu_s2"));

        var stop = await HookAsync(HookInputs.SubagentStop(Session, _cwd, "The page is built."));

        Assert.True(stop.ExitCode == 0, stop.ToString());
        Assert.Equal("", stop.Stdout.Trim()); // s1 and s3 are still pending: nothing to report yet
        var s2 = Subtask(workflowId, "s2");
        Assert.Equal("succeeded", s2["status"]!.GetValue<string>());
        Assert.Equal("The page is built.", s2["output"]!.GetValue<string>());
        Assert.Equal("pending", Subtask(workflowId, "s1")["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task SubagentStop_WhenTheSubtaskCannotBeTold_ChangesNothing()
    {
        var workflowId = await PlanAsync();
        await HookAsync(HookInputs.PreToolUse(Session, _cwd, "Task", $"[taskflow:{workflowId}/s1] One.", "toolu_s1"));
        await HookAsync(HookInputs.PreToolUse(Session, _cwd, "Task", $"[taskflow:{workflowId}/s2] Two.", "toolu_s2"));
        var before = await File.ReadAllBytesAsync(StoreFile);

        var stop = await HookAsync(HookInputs.SubagentStop(Session, _cwd, "Finished."));

        Assert.True(stop.ExitCode == 0, stop.ToString());
        Assert.Equal("", stop.Stdout.Trim());
        Assert.Equal(before, await File.ReadAllBytesAsync(StoreFile));
    }

    [Fact]
    public async Task SubagentStop_LastSubtask_PrintsTheAggregationAsSystemMessage()
    {
        var workflowId = await PlanAsync("- Write the docs\n- Write the tests");
        await HookAsync(HookInputs.PostToolUse(Session, _cwd, "Task", $"[taskflow:{workflowId}/s1] Docs.", "toolu_s1", "Docs written."));
        await HookAsync(HookInputs.PreToolUse(Session, _cwd, "Task", $"[taskflow:{workflowId}/s2] Tests.", "toolu_s2"));

        var stop = await HookAsync(HookInputs.SubagentStop(Session, _cwd, "Tests written."));

        Assert.True(stop.ExitCode == 0, stop.ToString());
        Assert.Contains("All 2 subtasks succeeded.", JsonNode.Parse(stop.Stdout)!["systemMessage"]!.GetValue<string>());
    }

    [Fact]
    public async Task UnhandledEvents_ExitZeroWithNoOutputAndStoreNothing()
    {
        foreach (var input in new[] { HookInputs.Bash(Session, _cwd), HookInputs.UserPromptSubmit(Session, _cwd), HookInputs.SubagentStop(Session, _cwd, "x") })
        {
            var result = await HookAsync(input);
            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.Equal("", result.Stdout);
        }

        Assert.False(Directory.Exists(Path.Combine(_cwd, ".taskflow")));
    }

    [Theory]
    [InlineData("this is not json")]
    [InlineData("[1, 2]")]
    [InlineData("{\"session_id\": \"s\", \"tool_name\": \"Task\"}")]
    [InlineData("")]
    public async Task MalformedStdin_ExitsOneWithAMessageAndKeepsStoredPlans(string stdin)
    {
        await PlanAsync();
        var before = await File.ReadAllBytesAsync(StoreFile);

        var result = await CliProcess.HookAsync(Launcher, [], stdin, _cwd);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("taskflow hook:", result.Stderr);
        Assert.Equal("", result.Stdout);
        Assert.Equal(before, await File.ReadAllBytesAsync(StoreFile));
    }

    [Fact]
    public async Task StdinThatNeverCloses_ExitsOneAfterTheStdinTimeout()
    {
        // The helper kills the process after 60 s and fails the test; the hook must give up after 1 s by itself.
        var result = await CliProcess.HookAsync(Launcher, ["--stdin-timeout", "1"], "{\"hook_event_name\": \"PreToolUse\"", _cwd, keepStdinOpen: true);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("did not close within 1 s", result.Stderr);
    }

    [Fact]
    public async Task TaskOverTheLimit_WithBlockInvalid_ExitsTwoWithTheReasonOnStderr()
    {
        var input = HookInputs.PreToolUse(Session, _cwd, "Task", "- a one\n- b two\n- c three\n- d four", "toolu_1");

        var result = await HookAsync(input, "--block-invalid", "--max-subtasks", "3");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("limit.subtasks", result.Stderr);
        Assert.Contains("more than max_subtasks (3)", result.Stderr);
        Assert.Equal("", result.Stdout);
        Assert.False(File.Exists(StoreFile));
    }

    [Fact]
    public async Task TaskOverTheLimit_BlockingSetInTheEnvironment_ExitsTwo()
    {
        var input = HookInputs.PreToolUse(Session, _cwd, "Task", "- a one\n- b two\n- c three\n- d four", "toolu_1");

        var result = await CliProcess.HookAsync(Launcher, ["--max-subtasks", "3"], input.ToJsonString(), _cwd, new Dictionary<string, string> { ["TASKFLOW_HOOKS_BLOCK_INVALID"] = "true" });

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("limit.subtasks", result.Stderr);
    }

    [Fact]
    public async Task TaskOverTheLimit_WithoutBlocking_LetsTheCallGoAndSaysWhy()
    {
        var input = HookInputs.PreToolUse(Session, _cwd, "Task", "- a one\n- b two\n- c three\n- d four", "toolu_1");

        var result = await HookAsync(input, "--max-subtasks", "3");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("more than max_subtasks (3)", JsonNode.Parse(result.Stdout)!["hookSpecificOutput"]!["additionalContext"]!.GetValue<string>());
        Assert.False(File.Exists(StoreFile));
    }

    [Fact]
    public async Task UnreadableStoreFile_IsKeptAsideAndANewPlanIsStored()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(StoreFile)!);
        await File.WriteAllTextAsync(StoreFile, "{ not a plan file");

        var result = await HookAsync(HookInputs.PreToolUse(Session, _cwd, "Task", ThreeItems, "toolu_1"));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("could not be read", result.Stderr);
        var aside = Assert.Single(Directory.GetFiles(Path.GetDirectoryName(StoreFile)!, Session + ".json.corrupt-*"));
        Assert.Equal("{ not a plan file", await File.ReadAllTextAsync(aside));
        Assert.Single(Plans());
    }

    [Fact]
    public async Task SubagentStop_WithAnUnreadableStoreFile_ExitsZeroAndKeepsTheFileAside()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(StoreFile)!);
        await File.WriteAllTextAsync(StoreFile, "{ not a plan file");

        var result = await HookAsync(HookInputs.SubagentStop(Session, _cwd, "Done."));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("", result.Stdout);
        var aside = Assert.Single(Directory.GetFiles(Path.GetDirectoryName(StoreFile)!, Session + ".json.corrupt-*"));
        Assert.Equal("{ not a plan file", await File.ReadAllTextAsync(aside));
        Assert.Contains("could not be read", result.Stderr);
    }

    [Fact]
    public async Task TasksHooksDirVariable_NamesTheStoreFolder()
    {
        var folder = Path.Combine(_cwd, "elsewhere");

        var result = await CliProcess.HookAsync(Launcher, [], HookInputs.PreToolUse(Session, _cwd, "Task", ThreeItems, "toolu_1").ToJsonString(), _cwd, new Dictionary<string, string> { ["TASKFLOW_HOOKS_DIR"] = folder });

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.True(File.Exists(Path.Combine(folder, Session + ".json")));
        Assert.False(File.Exists(StoreFile));
    }

    private Task<CliResult> HookAsync(JsonObject input, params string[] options) =>
        CliProcess.HookAsync(Launcher, [.. options], input.ToJsonString(), _cwd);

    private async Task<string> PlanAsync(string prompt = ThreeItems)
    {
        var result = await HookAsync(HookInputs.PreToolUse(Session, _cwd, "Task", prompt, "toolu_1", "Ship release"));
        Assert.True(result.ExitCode == 0, result.ToString());
        return Plans().Last()["workflowId"]!.GetValue<string>();
    }

    private List<JsonNode> Plans() => JsonNode.Parse(File.ReadAllText(StoreFile))!["plans"]!.AsArray().Select(p => p!).ToList();

    private JsonNode Subtask(string workflowId, string id) =>
        Plans().Single(p => p["workflowId"]!.GetValue<string>() == workflowId)["subtasks"]!.AsArray().Single(s => s!["id"]!.GetValue<string>() == id)!;
}
