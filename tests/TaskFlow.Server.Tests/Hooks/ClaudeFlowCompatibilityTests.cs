using System.Text.Json.Nodes;
using TaskFlow.Testing;

namespace TaskFlow.Server.Tests.Hooks;

/// <summary>
/// The real claude-flow 3.43.0 from npm (installed by scripts/install-mcp-servers.sh) beside
/// TaskFlow: its <c>init</c> settings (Ruflo v3's, which run <c>node .claude/helpers/hook-handler.cjs
/// SUBCOMMAND</c>) survive <c>taskflow hooks install</c> and still run beside TaskFlow's hook, and the
/// same pre-task and post-task flag sets work with both command lines.
/// </summary>
public sealed class ClaudeFlowCompatibilityTests : IDisposable
{
    // claude-flow's own internals (learning, routing, swarm state) that TaskFlow has no equivalent for.
    private static readonly HashSet<string> ClaudeFlowOnly = ["modelRouting", "learningUpdates", "trajectory", "pheromone", "feedback"];

    private static readonly TimeSpan ClaudeFlowBound = TimeSpan.FromMinutes(2);

    private readonly string _root = Directory.CreateTempSubdirectory("taskflow-claude-flow-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task HooksInstall_AfterClaudeFlowInit_KeepsEveryEntryClaudeFlowWrote()
    {
        var project = Directory.CreateDirectory(Path.Combine(_root, "project")).FullName;
        var init = await ClaudeFlowAsync(project, "init", "hooks");
        Assert.True(init.ExitCode == 0, init.ToString());
        var settingsPath = Path.Combine(project, ".claude", "settings.json");
        var generated = JsonNode.Parse(await File.ReadAllTextAsync(settingsPath))!.AsObject();
        Assert.NotEmpty(generated["hooks"]!.AsObject());

        var install = await CliProcess.TaskFlowAsync(["hooks", "install", project, "--command", "taskflow hook"], null, project);

        Assert.True(install.ExitCode == 0, install.ToString());
        var merged = JsonNode.Parse(await File.ReadAllTextAsync(settingsPath))!.AsObject();
        foreach (var (key, value) in generated)
        {
            if (key != "hooks")
            {
                Assert.True(JsonNode.DeepEquals(value, merged[key]), $"{key} changed");
            }
        }

        foreach (var (eventName, groups) in generated["hooks"]!.AsObject())
        {
            var after = merged["hooks"]![eventName]!.AsArray();
            foreach (var group in groups!.AsArray())
            {
                Assert.True(after.Any(g => JsonNode.DeepEquals(g, group)), $"claude-flow's {eventName} entry {group!.ToJsonString()} is gone");
            }
        }

        Assert.Contains(merged["hooks"]!["PreToolUse"]!.AsArray(), g => g!["matcher"]?.GetValue<string>() == "Task|Agent" && g["hooks"]![0]!["command"]!.GetValue<string>() == "taskflow hook");
        Assert.Contains(merged["hooks"]!["SubagentStop"]!.AsArray(), g => g!["hooks"]![0]!["command"]!.GetValue<string>() == "taskflow hook");
    }

    [Fact]
    public async Task HooksInstall_BesideClaudeFlowsHookHandler_BothRunOnTheSameAgentCall()
    {
        var project = Directory.CreateDirectory(Path.Combine(_root, "project")).FullName;
        var init = await ClaudeFlowAsync(project, "init", "hooks");
        Assert.True(init.ExitCode == 0, init.ToString());
        var settingsPath = Path.Combine(project, ".claude", "settings.json");
        var taskflow = $"dotnet {Path.Combine(AppContext.BaseDirectory, "taskflow.dll")} hook";
        var install = await CliProcess.TaskFlowAsync(["hooks", "install", project, "--command", taskflow], null, project);
        Assert.True(install.ExitCode == 0, install.ToString());

        var environment = new Dictionary<string, string> { ["CLAUDE_PROJECT_DIR"] = project, ["HOME"] = Path.Combine(_root, "home"), ["CI"] = "true" };
        var plan = await CliProcess.TaskFlowAsync(["hook"], HookInputs.PreToolUse("cf-session", project, "Agent", "Find all API endpoints", "toolu_cf").ToJsonString(), project);
        Assert.True(plan.ExitCode == 0, plan.ToString());

        // SubagentStart, SubagentStop and Stop have no matcher: Claude Code runs every command of
        // both tools for each subagent, and at the end of the turn.
        var settings = JsonNode.Parse(await File.ReadAllTextAsync(settingsPath))!["hooks"]!;
        var inputs = new[]
        {
            ("SubagentStart", HookInputs.SubagentStart("cf-session", project, "agent-cf", "general-purpose")),
            ("SubagentStop", HookInputs.SubagentStop("cf-session", project, "Found 12 endpoints.", "agent-cf")),
            ("Stop", HookInputs.Stop("cf-session", project)),
        };
        foreach (var (eventName, input) in inputs)
        {
            var commands = settings[eventName]!.AsArray().SelectMany(g => g!["hooks"]!.AsArray().Select(h => h!["command"]!.GetValue<string>())).ToList();
            if (eventName != "Stop")
            {
                // claude-flow's Stop entry, when its init writes one, runs its auto-memory helper instead.
                Assert.Contains(commands, c => c.Contains("hook-handler.cjs", StringComparison.Ordinal));
            }

            Assert.Contains(taskflow, commands);
            foreach (var command in commands)
            {
                var result = await CliProcess.RunAsync("sh", ["-c", command], input.ToJsonString(), project, environment, keepStdinOpen: false, ClaudeFlowBound);
                Assert.True(result.ExitCode == 0, $"{eventName} {command}: {result}");
            }
        }

        var subtask = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(project, ".taskflow", "hooks", "cf-session.json")))!["plans"]![0]!["subtasks"]![0]!;
        Assert.Equal("succeeded", subtask["status"]!.GetValue<string>());
        Assert.Equal("agent-cf", subtask["agentId"]!.GetValue<string>());
        Assert.Equal("Found 12 endpoints.", subtask["output"]!.GetValue<string>());
    }

    [Fact]
    public async Task SameFlagSets_WorkWithBothCommandLines()
    {
        string[][] flagSets =
        [
            ["hooks", "pre-task", "-i", "cf-1", "-d", "Add the login page and its tests", "--format", "json"],
            ["hooks", "pre-task", "--task-id", "cf-2", "--description", "Fix the flaky build", "--auto-spawn"],
            ["hooks", "post-task", "-i", "cf-1", "--success", "--quality", "0.8", "--agent", "coder", "--format", "json"],
            ["hooks", "post-task", "-i", "cf-2", "--success", "false", "-q", "0.3", "-a", "tester"],
            ["hooks", "post-task", "--task-id", "cf-2", "--success", "true", "--agent", "coder", "--task", "fix the build", "--store-results", "--duration", "1200"],
        ];

        var claudeFlowDir = Directory.CreateDirectory(Path.Combine(_root, "claude-flow")).FullName;
        var taskFlowDir = Directory.CreateDirectory(Path.Combine(_root, "taskflow")).FullName;
        foreach (var flags in flagSets)
        {
            var theirs = await ClaudeFlowAsync(claudeFlowDir, flags);
            var ours = await CliProcess.TaskFlowAsync(flags, null, taskFlowDir);

            Assert.True(theirs.ExitCode == 0, $"claude-flow {string.Join(' ', flags)}: {theirs}");
            Assert.True(ours.ExitCode == 0, $"taskflow {string.Join(' ', flags)}: {ours}");
            if (!flags.Contains("json"))
            {
                continue;
            }

            // claude-flow prints an [INFO] line before its JSON; TaskFlow prints the JSON only.
            var theirJson = JsonNode.Parse(string.Join('\n', theirs.Stdout.Split('\n').SkipWhile(l => !l.StartsWith('{'))))!.AsObject();
            var ourJson = JsonNode.Parse(ours.Stdout)!.AsObject();
            foreach (var (field, value) in theirJson.Where(f => !ClaudeFlowOnly.Contains(f.Key)))
            {
                Assert.True(ourJson.ContainsKey(field), $"{string.Join(' ', flags)}: TaskFlow's answer has no '{field}' ({ours.Stdout})");
                if (value is not null && ourJson[field] is { } ourValue)
                {
                    Assert.Equal(value.GetValueKind(), ourValue.GetValueKind());
                }
            }
        }
    }

    [Fact]
    public async Task PreTaskWithoutDescription_FailsWithBothCommandLines()
    {
        string[] flags = ["hooks", "pre-task", "-i", "cf-9", "--format", "json"];

        var theirs = await ClaudeFlowAsync(_root, flags);
        var ours = await CliProcess.TaskFlowAsync(flags, null, _root);

        Assert.True(theirs.ExitCode == 1, theirs.ToString());
        Assert.True(ours.ExitCode == 1, ours.ToString());
    }

    [Fact]
    public async Task PreAndPostTask_WithClaudeFlowAsAnMcpUpstream_MergeItsAnswersUnderClaudeFlow()
    {
        // claude-flow's MCP server (protocol 2024-11-05) configured as a router upstream, as a user would.
        var launch = McpTestServers.ClaudeFlow("mcp", "start");
        var environment = new Dictionary<string, string>
        {
            ["HOME"] = Path.Combine(_root, "home"),
            ["TaskFlow__Hooks__ClaudeFlowServer"] = "claude-flow",
            ["TaskFlow__Mcp__Servers__claude-flow__Command"] = launch.Command,
            ["TaskFlow__Mcp__Servers__claude-flow__WorkingDirectory"] = _root,
        };
        for (var i = 0; i < launch.Arguments.Count; i++)
        {
            environment[$"TaskFlow__Mcp__Servers__claude-flow__Arguments__{i}"] = launch.Arguments[i];
        }

        var pre = await CliProcess.TaskFlowAsync(["hooks", "pre-task", "-i", "mcp-1", "-d", "Write the tests for the parser", "--format", "json"], null, _root, environment, timeout: ClaudeFlowBound);
        var post = await CliProcess.TaskFlowAsync(["hooks", "post-task", "-i", "mcp-1", "--success", "--quality", "0.9", "--agent", "tester", "--format", "json"], null, _root, environment, timeout: ClaudeFlowBound);

        Assert.True(pre.ExitCode == 0, pre.ToString());
        var preJson = JsonNode.Parse(pre.Stdout)!;
        var theirs = preJson["claudeFlow"]!;
        Assert.Null(theirs["error"]);
        Assert.Equal("mcp-1", theirs["taskId"]!.GetValue<string>());
        Assert.Equal("tester", theirs["suggestedAgents"]![0]!["type"]!.GetValue<string>());
        Assert.Equal("mcp-1", preJson["taskId"]!.GetValue<string>());
        Assert.NotNull(preJson["graph"]);

        Assert.True(post.ExitCode == 0, post.ToString());
        var postJson = JsonNode.Parse(post.Stdout)!;
        Assert.Null(postJson["claudeFlow"]!["error"]);
        Assert.Equal("mcp-1", postJson["claudeFlow"]!["taskId"]!.GetValue<string>());
        Assert.True(postJson["claudeFlow"]!["success"]!.GetValue<bool>());
        Assert.True(postJson["aggregation"]!["succeeded"]!.GetValue<bool>());
    }

    [Fact]
    public async Task PreTask_WithClaudeFlowServerNamedButNotConfigured_ExitsOneAndSaysWhat()
    {
        var result = await CliProcess.TaskFlowAsync(["hooks", "pre-task", "-i", "x", "-d", "Write the docs", "--claude-flow-server", "nowhere"], null, _root);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("'nowhere', which is not a server of TaskFlow:Mcp:Servers", result.Stderr);
    }

    private async Task<CliResult> ClaudeFlowAsync(string workingDirectory, params string[] arguments)
    {
        var launch = McpTestServers.ClaudeFlow(arguments);

        // claude-flow writes state under HOME as well as the working folder: keep both inside the test's folder.
        var environment = new Dictionary<string, string>(launch.Environment)
        {
            ["HOME"] = Path.Combine(_root, "home"),
            ["CI"] = "true",
            ["RUFLO_NO_SKILLS_SH"] = "1",
        };
        return await CliProcess.RunAsync(launch.Command, launch.Arguments, null, workingDirectory, environment, keepStdinOpen: false, ClaudeFlowBound);
    }
}
