using System.Text.Json.Nodes;

namespace TaskFlow.Server.Tests.Hooks;

/// <summary>
/// The hook inputs of Claude Code's hooks reference (Reference/*.json, sources in Reference/README.md)
/// and the minimal or loose payloads real callers send, through the built <c>taskflow hook</c>:
/// exit codes and stdout as documented, and nothing stored changes on input the hook cannot use.
/// </summary>
public class ReferenceExampleTests : IDisposable
{
    /// <summary>The process that handles the hook: <c>taskflow hook</c> here, the native executable in <see cref="NativeReferenceExampleTests"/>.</summary>
    internal virtual HookLauncher Launcher => HookLauncher.Cli;

    private const string Session = "abc123";

    private readonly string _cwd = Directory.CreateTempSubdirectory("taskflow-ref-").FullName;

    private string StoreFolder => Path.Combine(_cwd, ".taskflow", "hooks");

    private string StoreFile => Path.Combine(StoreFolder, Session + ".json");

    public void Dispose() => Directory.Delete(_cwd, recursive: true);

    public static TheoryData<string> Examples() => new(Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Hooks", "Reference"), "*.json").Select(Path.GetFileName).Order()!);

    [Fact]
    public void TheExampleFolder_HoldsEveryEventTheHookHandles()
    {
        var events = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Hooks", "Reference"), "*.json")
            .Select(f => JsonNode.Parse(File.ReadAllText(f))!["hook_event_name"]!.GetValue<string>()).ToHashSet();

        Assert.Superset(new HashSet<string> { "PreToolUse", "PostToolUse", "PostToolUseFailure", "SubagentStart", "SubagentStop" }, events);
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public async Task EveryExample_OnItsOwn_ExitsZeroAndOnlyAnAgentPreToolUseAnswersOrStores(string file)
    {
        var input = Example(file);
        var plans = input["hook_event_name"]!.GetValue<string>() == "PreToolUse" && input["tool_name"]!.GetValue<string>() is "Agent" or "Task";

        var result = await HookAsync(input);

        Assert.True(result.ExitCode == 0, result.ToString());
        if (plans)
        {
            var output = JsonNode.Parse(result.Stdout)!["hookSpecificOutput"]!;
            Assert.Equal("PreToolUse", output["hookEventName"]!.GetValue<string>());
            Assert.Contains("Find API endpoints", File.ReadAllText(StoreFile));
        }
        else
        {
            Assert.Equal("", result.Stdout);
            Assert.False(Directory.Exists(StoreFolder), $"{file} stored something");
        }
    }

    [Theory]
    [InlineData("pre-tool-use-agent.json", "post-tool-use-agent-completed.json")]
    [InlineData("pre-tool-use-task-2026-02.json", "post-tool-use-task-2026-02.json")]
    public async Task ForegroundCall_PreThenPost_RecordsTheAnswerAndReportsInPostToolUse(string pre, string post)
    {
        Assert.Equal(0, (await HookAsync(Example(pre))).ExitCode);

        var result = await HookAsync(Example(post));

        Assert.True(result.ExitCode == 0, result.ToString());
        var output = JsonNode.Parse(result.Stdout)!["hookSpecificOutput"]!;
        Assert.Equal("PostToolUse", output["hookEventName"]!.GetValue<string>());
        Assert.Contains("The subtask succeeded.", output["additionalContext"]!.GetValue<string>());
        Assert.Equal("Found 12 endpoints in src/api.", OnlySubtask()["output"]!["content"]![0]!["text"]!.GetValue<string>());
    }

    [Fact]
    public async Task BackgroundCall_LaunchThenItsSubagentStop_RunsUntilTheStopAndReportsAsSystemMessage()
    {
        await HookAsync(Example("pre-tool-use-agent.json"));

        var launch = await HookAsync(Example("post-tool-use-agent-async-launched.json"));

        Assert.True(launch.ExitCode == 0, launch.ToString());
        Assert.Equal("", launch.Stdout);
        Assert.Equal("running", OnlySubtask()["status"]!.GetValue<string>());
        Assert.Equal("a8b740b", OnlySubtask()["agentId"]!.GetValue<string>());
        Assert.Equal("/tmp/claude-1000/my-project/tasks/a8b740b.output", OnlySubtask()["outputFile"]!.GetValue<string>());

        // The reference's SubagentStop example is another agent (def456): it is not this subtask's.
        var foreign = await HookAsync(Example("subagent-stop.json"));
        Assert.Equal("", foreign.Stdout);
        Assert.Equal("running", OnlySubtask()["status"]!.GetValue<string>());

        var stop = Example("subagent-stop.json");
        stop["agent_id"] = "a8b740b";
        var result = await HookAsync(stop);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("The subtask succeeded.", JsonNode.Parse(result.Stdout)!["systemMessage"]!.GetValue<string>());
        Assert.Equal("Analysis complete. Found 3 potential issues...", OnlySubtask()["output"]!.GetValue<string>());
    }

    [Fact]
    public async Task SubagentStartExample_TiesTheRunningSubtaskAndItsStopFinishesIt()
    {
        await HookAsync(Example("pre-tool-use-agent.json"));

        var start = await HookAsync(Example("subagent-start.json"));

        Assert.True(start.ExitCode == 0, start.ToString());
        Assert.Equal("", start.Stdout);
        Assert.Equal("agent-abc123", OnlySubtask()["agentId"]!.GetValue<string>());
        var stop = Example("subagent-stop.json");
        stop["agent_id"] = "agent-abc123";
        Assert.Contains("The subtask succeeded.", (await HookAsync(stop)).Stdout);
    }

    [Fact]
    public async Task PostToolUseFailureExample_FailsTheSubtaskAndAnswersForItsOwnEvent()
    {
        await HookAsync(Example("pre-tool-use-agent.json"));

        var result = await HookAsync(Example("post-tool-use-failure-agent.json"));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("PostToolUseFailure", JsonNode.Parse(result.Stdout)!["hookSpecificOutput"]!["hookEventName"]!.GetValue<string>());
        Assert.Equal("failed", OnlySubtask()["status"]!.GetValue<string>());
        Assert.Equal("Agent was interrupted", OnlySubtask()["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task MinimalPayload_OnlyEventToolAndInput_PlansUnderNoSessionInTheWorkingFolder()
    {
        var result = await CliProcess.HookAsync(Launcher, [], """{"hook_event_name":"PreToolUse","tool_name":"Agent","tool_input":{"prompt":"- Write the docs\n- Write the tests"}}""", _cwd);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("[s2] Write the tests", JsonNode.Parse(result.Stdout)!["hookSpecificOutput"]!["additionalContext"]!.GetValue<string>());
        Assert.True(File.Exists(Path.Combine(StoreFolder, "no-session.json")));
    }

    [Theory]
    [InlineData("""{"prompt":"- Write the docs\n- Write the tests","description":"Docs and tests"}""")]
    [InlineData("- Write the docs\n- Write the tests")]
    public async Task ToolInputAsAString_IsReadAsTheObjectItHoldsOrAsThePrompt(string toolInput)
    {
        var input = Example("pre-tool-use-agent.json");
        input["tool_input"] = toolInput;

        var result = await HookAsync(input);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("[s2] Write the tests", JsonNode.Parse(result.Stdout)!["hookSpecificOutput"]!["additionalContext"]!.GetValue<string>());
    }

    [Fact]
    public async Task SubagentStop_WithEmptyAgentTypeAndNullTranscriptPath_IsRecordedWithoutAnAgentType()
    {
        await HookAsync(Example("pre-tool-use-agent.json"));
        var stop = Example("subagent-stop.json");
        stop["agent_type"] = "";
        stop["transcript_path"] = null;
        stop.Remove("agent_id");
        stop.Remove("agent_transcript_path");

        var result = await HookAsync(stop);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("succeeded", OnlySubtask()["status"]!.GetValue<string>());
        Assert.Null(OnlySubtask()["agent"]);
    }

    [Theory]
    [InlineData("""{"hook_event_name":"TeammateIdle","session_id":"abc123"}""")]
    [InlineData("""{"hook_event_name":"PreToolUse","session_id":"abc123","tool_name":"Agent","tool_input":42}""")]
    [InlineData("""{"hook_event_name":"PostToolUse","session_id":"abc123","tool_name":"Agent","tool_input":[1],"tool_response":"Error: no such agent"}""")]
    [InlineData("""{"hook_event_name":"PostToolUse","session_id":"abc123","tool_name":"Agent","tool_response":{"status":"async_launched"}}""")]
    [InlineData("""{"hook_event_name":"SubagentStart","session_id":"abc123","agent_id":""}""")]
    [InlineData("""{"hook_event_name":"SubagentStop","session_id":"abc123","agent_id":"nobody","last_assistant_message":null}""")]
    [InlineData("""{"hook_event_name":"PostToolUse","session_id":"abc123","tool_name":7}""")]
    public async Task UnknownEventsAndUnusableFields_ExitZeroAndChangeNothingStored(string stdin)
    {
        // Two running subtasks: no fallback can pick one, so any change would be a wrong guess.
        var plan = Example("pre-tool-use-agent.json");
        plan["tool_input"]!["prompt"] = "- Write the docs\n- Write the tests";
        await HookAsync(plan);
        var workflowId = JsonNode.Parse(File.ReadAllText(StoreFile))!["plans"]![0]!["workflowId"]!.GetValue<string>();
        foreach (var i in new[] { 1, 2 })
        {
            var marked = Example("pre-tool-use-agent.json");
            marked["tool_input"]!["prompt"] = $"[taskflow:{workflowId}/s{i}] Part {i}.";
            marked["tool_use_id"] = $"toolu_s{i}";
            await HookAsync(marked);
        }

        var before = await File.ReadAllBytesAsync(StoreFile);

        var result = await CliProcess.HookAsync(Launcher, [], stdin, _cwd);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("", result.Stdout);
        Assert.Equal(before, await File.ReadAllBytesAsync(StoreFile));
    }

    private JsonObject Example(string file) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Hooks", "Reference", file)).Replace("{CWD}", _cwd.Replace("\\", "\\\\")))!.AsObject();

    private Task<CliResult> HookAsync(JsonObject input) => CliProcess.HookAsync(Launcher, [], input.ToJsonString(), _cwd);

    private JsonNode OnlySubtask() => Assert.Single(JsonNode.Parse(File.ReadAllText(StoreFile))!["plans"]![0]!["subtasks"]!.AsArray())!;
}
