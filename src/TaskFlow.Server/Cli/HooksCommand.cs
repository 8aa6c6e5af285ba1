using System.CommandLine;
using System.Text.Json.Nodes;
using TaskFlow.Hooks;
using TaskFlow.Server.Hooks;

namespace TaskFlow.Server.Cli;

/// <summary>
/// <c>taskflow hooks install|pre-task|post-task</c>. pre-task and post-task take claude-flow 3.x's
/// flags (same names and short forms), so a script or settings file written for one CLI works
/// with the other; flags TaskFlow has no use for are accepted and ignored.
/// </summary>
internal static class HooksCommand
{
    public static Command Create() => new("hooks", "Claude Code hooks: install them, and claude-flow compatible pre-task / post-task.")
    {
        Install(), PreTask(), PostTask(),
    };

    private static Command Install()
    {
        var dir = new Argument<DirectoryInfo?>("dir") { Description = "The project folder; .claude/settings.json in it is created or merged. Default: the current folder.", Arity = ArgumentArity.ZeroOrOne };
        var commandOption = new Option<string?>("--command") { Description = "The command Claude Code runs, e.g. \"taskflow hook --block-invalid\". Default: this taskflow executable with hook." };
        var timeout = new Option<int>("--timeout") { Description = "Seconds Claude Code lets the hook run.", DefaultValueFactory = _ => 10 };
        var server = new Option<string?>("--server") { Description = "A TaskFlow server that runs each plan live: written as TASKFLOW_URL into the settings' env, which Claude Code gives its hooks." };
        var apiKey = new Option<string?>("--api-key") { Description = "The server's API key: written as TASKFLOW_API_KEY into DIR/.claude/settings.local.json (personal, kept out of version control), not into settings.json." };
        server.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string?>() is { } text && !IsServerUrl(text))
            {
                r.AddError($"--server '{text}' is not an http:// or https:// URL, such as http://127.0.0.1:5080.");
            }
        });
        var command = new Command("install", "Merge TaskFlow's hooks (PreToolUse, PostToolUse and PostToolUseFailure for Task|Agent, SubagentStart, SubagentStop) into DIR/.claude/settings.json, keeping every existing entry; with --server, plans also run live on that server.")
        {
            dir, commandOption, timeout, server, apiKey,
        };
        command.SetAction(result =>
        {
            var folder = result.GetValue(dir)?.FullName ?? Environment.CurrentDirectory;
            var settings = Path.Combine(folder, ".claude", "settings.json");
            try
            {
                var added = HookSettingsInstaller.Install(settings, result.GetValue(commandOption) ?? HookSettingsInstaller.DefaultCommand(), Math.Max(1, result.GetValue(timeout)));
                Console.WriteLine(added == 0 ? $"{settings}: TaskFlow's hooks are already installed." : $"{settings}: added {added} TaskFlow hook entr{(added == 1 ? "y" : "ies")}.");
                if (result.GetValue(server) is { } url)
                {
                    var changed = HookSettingsInstaller.SetEnvironment(settings, new Dictionary<string, string> { ["TASKFLOW_URL"] = url.TrimEnd('/') });
                    Console.WriteLine(changed.Count == 0 ? $"{settings}: TASKFLOW_URL is already {url.TrimEnd('/')}." : $"{settings}: TASKFLOW_URL set to {url.TrimEnd('/')}; plans run live there.");
                }

                if (result.GetValue(apiKey) is { Length: > 0 } key)
                {
                    var local = Path.Combine(folder, ".claude", "settings.local.json");
                    var changed = HookSettingsInstaller.SetEnvironment(local, new Dictionary<string, string> { ["TASKFLOW_API_KEY"] = key });
                    Console.WriteLine(changed.Count == 0 ? $"{local}: TASKFLOW_API_KEY is already set." : $"{local}: TASKFLOW_API_KEY set.");
                }

                return 0;
            }
            catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine(ex.Message);
                return 1;
            }
        });
        return command;
    }

    private static bool IsServerUrl(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) && uri.Host.Length > 0;

    private static Command PreTask()
    {
        var taskId = new Option<string?>("--task-id", "-i") { Description = "Unique task identifier (generated when omitted). ID/SUBTASK marks a subtask of a stored plan running." };
        var description = new Option<string?>("--description", "-d") { Description = "Task description (required)." };
        var autoSpawn = new Option<bool>("--auto-spawn", "-a") { Description = "claude-flow: auto-spawn suggested agents. Accepted and ignored." };
        var block = new Option<bool>("--block-invalid") { Description = "Exit 2 when the task cannot be decomposed." };
        var shared = SharedOptions.Create();
        var decomposition = DecompositionArguments.Create();
        var command = new Command("pre-task", "Plan a task (claude-flow's pre-task): its estimate, and TaskFlow's subtasks and workflow graph. Stores the plan for post-task.")
        {
            taskId, description, autoSpawn, block,
        };
        shared.AddTo(command);
        decomposition.AddTo(command);
        command.SetAction(async (result, cancellationToken) =>
        {
            var text = result.GetValue(description);
            if (string.IsNullOrWhiteSpace(text))
            {
                await Console.Error.WriteLineAsync("Description is required: --description \"your task\" (-d).");
                return 1;
            }

            var options = decomposition.Read(result);
            options.BlockInvalid = result.GetValue(block);
            var id = result.GetValue(taskId) is { Length: > 0 } given ? given : $"task_{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}_{Guid.NewGuid().ToString("N")[..6]}";
            if (!TryCreateClaudeFlow(shared.ClaudeFlowServer(result), out var claudeFlow))
            {
                return 1;
            }

            await using var claudeFlowScope = claudeFlow;
            var answer = await Tasks(options, claudeFlow).PreTaskAsync(id, text, cancellationToken);
            return await WriteAsync(answer, shared.IsJson(result));
        });
        return command;
    }

    private static Command PostTask()
    {
        var taskId = new Option<string?>("--task-id", "-i") { Description = "The task id given to pre-task; ID/SUBTASK reports one subtask, ID every subtask not yet reported." };
        var success = new Option<bool?>("--success", "-s") { Description = "Whether the task succeeded: --success, --success true or --success false (default true, as claude-flow)." };
        var quality = new Option<double?>("--quality", "-q") { Description = "Quality score (0-1); the subtask's score in a weighted aggregation." };
        var agent = new Option<string?>("--agent", "-a") { Description = "Agent that executed the task." };
        var command = new Command("post-task", "Record a task's or subtask's outcome (claude-flow's post-task); prints the aggregation when every subtask of the plan has reported.")
        {
            taskId, success, quality, agent,
            Ignored<string?>("--agent-role", "claude-flow: stable agent role."),
            Ignored<double?>("--duration", "claude-flow: observed duration in ms."),
            Ignored<double?>("--latency-budget-ms", "claude-flow: expected duration in ms."),
            Ignored<double?>("--consensus-alignment", "claude-flow: consensus alignment 0-1."),
            Ignored<string?>("--task", "claude-flow: task description text.", "-t"),
            Ignored<bool>("--store-results", "claude-flow: persist the routing decision."),
            Ignored<string?>("--parent-agent-id", "claude-flow: parent agent id."),
            Ignored<double?>("--depth", "claude-flow: chain depth."),
        };
        quality.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<double?>() is { } q && (q < 0 || q > 1 || double.IsNaN(q)))
            {
                r.AddError($"--quality {q} is outside 0-1; claude-flow's quality score is 0 to 1.");
            }
        });
        var shared = SharedOptions.Create();
        shared.AddTo(command);
        command.SetAction(async (result, cancellationToken) =>
        {
            var id = result.GetValue(taskId);
            if (string.IsNullOrWhiteSpace(id))
            {
                await Console.Error.WriteLineAsync("post-task needs the task id given to pre-task: -i ID (or -i ID/SUBTASK).");
                return 1;
            }

            if (!TryCreateClaudeFlow(shared.ClaudeFlowServer(result), out var claudeFlow))
            {
                return 1;
            }

            await using var claudeFlowScope = claudeFlow;
            var answer = await Tasks(new HookOptions(), claudeFlow).PostTaskAsync(id, result.GetValue(success) ?? true, result.GetValue(quality), result.GetValue(agent), cancellationToken);
            return await WriteAsync(answer, shared.IsJson(result));
        });
        return command;
    }

    private static ClaudeFlowTasks Tasks(HookOptions options, IClaudeFlowHooks? claudeFlow) =>
        new(HookPlanStore.For(Environment.CurrentDirectory), options, TimeProvider.System, Note, claudeFlow);

    private static bool TryCreateClaudeFlow(string? server, out IClaudeFlowHooks? claudeFlow)
    {
        try
        {
            claudeFlow = ClaudeFlowHooksFactory.Create(server, Note);
            return true;
        }
        catch (InvalidOperationException ex)
        {
            Note(ex.Message);
            claudeFlow = null;
            return false;
        }
    }

    private static void Note(string message) => Console.Error.WriteLine(message);

    private static async Task<int> WriteAsync(ClaudeFlowTasks.Answer answer, bool json)
    {
        // stdout carries only the answer: JSON, or the short summary; notes went to stderr.
        await Console.Out.WriteLineAsync(json ? answer.Json.ToJsonString(HookJson.Indented) : answer.Text);
        return answer.ExitCode;
    }

    private static Option<T> Ignored<T>(string name, string description, params string[] aliases) => new(name, aliases) { Description = description + " Accepted and ignored." };

    /// <summary>claude-flow's global flags, and the upstream to ask as well.</summary>
    private sealed class SharedOptions
    {
        private readonly Option<string?> _format = new("--format") { Description = "Output format: text (default), json or table (as text)." };
        private readonly Option<string?> _claudeFlowServer = new("--claude-flow-server") { Description = $"Also call claude-flow's hooks_pre-task / hooks_post-task on this upstream of TaskFlow:Mcp. Default: {ClaudeFlowHooksFactory.ServerVariable}." };
        private readonly Option<bool> _verbose = new("--verbose", "-v") { Description = "claude-flow: verbose output. Accepted and ignored." };
        private readonly Option<bool> _quiet = new("--quiet", "-Q") { Description = "claude-flow: suppress non-essential output. Accepted and ignored (TaskFlow prints nothing else)." };
        private readonly Option<string?> _config = new("--config", "-c") { Description = "claude-flow: configuration file. Accepted and ignored." };
        private readonly Option<bool> _noColor = new("--no-color") { Description = "claude-flow: no colours. Accepted and ignored (TaskFlow prints none)." };

        public static SharedOptions Create()
        {
            var shared = new SharedOptions();
            shared._format.AcceptOnlyFromAmong("text", "json", "table");
            return shared;
        }

        public void AddTo(Command command)
        {
            foreach (var option in new Option[] { _format, _claudeFlowServer, _verbose, _quiet, _config, _noColor })
            {
                command.Options.Add(option);
            }
        }

        public bool IsJson(ParseResult result) => result.GetValue(_format) == "json";

        public string? ClaudeFlowServer(ParseResult result) =>
            result.GetValue(_claudeFlowServer) is { Length: > 0 } name ? name : Environment.GetEnvironmentVariable(ClaudeFlowHooksFactory.ServerVariable) is { Length: > 0 } configured ? configured : null;
    }
}
