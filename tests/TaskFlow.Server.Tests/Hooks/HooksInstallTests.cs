using System.Text.Json.Nodes;
using TaskFlow.Hooks;

namespace TaskFlow.Server.Tests.Hooks;

/// <summary><c>taskflow hooks install [DIR]</c> merging into a project's <c>.claude/settings.json</c>, run as the real process.</summary>
public sealed class HooksInstallTests : IDisposable
{
    private const string Command = "taskflow hook";

    private readonly string _dir = Directory.CreateTempSubdirectory("taskflow-install-").FullName;

    private string Settings => Path.Combine(_dir, ".claude", "settings.json");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Install_IntoAnEmptyFolder_CreatesSettingsWithTaskFlowsEntries()
    {
        var result = await InstallAsync();

        Assert.True(result.ExitCode == 0, result.ToString());
        var hooks = JsonNode.Parse(await File.ReadAllTextAsync(Settings))!["hooks"]!;
        foreach (var name in new[] { "PreToolUse", "PostToolUse", "PostToolUseFailure" })
        {
            var group = Assert.Single(hooks[name]!.AsArray())!;
            Assert.Equal("Task|Agent", group["matcher"]!.GetValue<string>());
            var hook = Assert.Single(group["hooks"]!.AsArray())!;
            Assert.Equal("command", hook["type"]!.GetValue<string>());
            Assert.Equal(Command, hook["command"]!.GetValue<string>());
            Assert.Equal(10, hook["timeout"]!.GetValue<int>());
        }

        foreach (var name in new[] { "SubagentStart", "SubagentStop", "Stop" })
        {
            var group = Assert.Single(hooks[name]!.AsArray())!;
            Assert.Null(group["matcher"]);
            Assert.Equal(Command, group["hooks"]![0]!["command"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task Install_WithoutCommand_UsesTheRunningTaskflow()
    {
        var result = await CliProcess.TaskFlowAsync(["hooks", "install", _dir], null, _dir);

        Assert.True(result.ExitCode == 0, result.ToString());
        var command = JsonNode.Parse(await File.ReadAllTextAsync(Settings))!["hooks"]!["PreToolUse"]![0]!["hooks"]![0]!["command"]!.GetValue<string>();
        Assert.Contains("taskflow.dll", command);
        Assert.EndsWith(" hook", command);
    }

    [Fact]
    public void DefaultCommand_NativeExecutableBesideTheCli_IsThatExecutable()
    {
        var cli = Directory.CreateDirectory(Path.Combine(_dir, "bin")).FullName;
        var native = Path.Combine(cli, HookSettingsInstaller.NativeExecutable);
        File.Copy(NativeHook.Path, native);

        Assert.Equal(native, HookSettingsInstaller.DefaultCommand(cli));
    }

    [Fact]
    public void DefaultCommand_NoNativeExecutableBesideTheCli_RunsTheCliHook()
    {
        var cli = Directory.CreateDirectory(Path.Combine(_dir, "bin")).FullName;

        var command = HookSettingsInstaller.DefaultCommand(cli);

        Assert.DoesNotContain(HookSettingsInstaller.NativeExecutable, command);
        Assert.EndsWith(" hook", command);
    }

    [Fact]
    public async Task Install_IntoSettingsWithOtherHooksAndKeys_KeepsEveryOne()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Settings)!);
        var original = new JsonObject
        {
            ["model"] = "sonnet",
            ["permissions"] = new JsonObject { ["allow"] = new JsonArray("Bash(npm test)") },
            ["someFutureKey"] = new JsonObject { ["nested"] = new JsonArray(1, 2, 3) },
            ["hooks"] = new JsonObject
            {
                ["PreToolUse"] = new JsonArray(
                    new JsonObject { ["matcher"] = "Bash", ["hooks"] = new JsonArray(new JsonObject { ["type"] = "command", ["command"] = "check-bash.sh" }) },
                    new JsonObject { ["matcher"] = "Task|Agent", ["hooks"] = new JsonArray(new JsonObject { ["type"] = "command", ["command"] = "other-task-hook" }) }),
                ["Stop"] = new JsonArray(new JsonObject { ["hooks"] = new JsonArray(new JsonObject { ["type"] = "command", ["command"] = "notify.sh" }) }),
            },
        };
        await File.WriteAllTextAsync(Settings, original.ToJsonString());

        var result = await InstallAsync();

        Assert.True(result.ExitCode == 0, result.ToString());
        var merged = JsonNode.Parse(await File.ReadAllTextAsync(Settings))!.AsObject();
        Assert.True(JsonNode.DeepEquals(original["model"], merged["model"]));
        Assert.True(JsonNode.DeepEquals(original["permissions"], merged["permissions"]));
        Assert.True(JsonNode.DeepEquals(original["someFutureKey"], merged["someFutureKey"]));
        var stop = merged["hooks"]!["Stop"]!.AsArray();
        Assert.Equal(2, stop.Count);
        Assert.True(JsonNode.DeepEquals(original["hooks"]!["Stop"]![0], stop[0]));
        Assert.Equal(Command, stop[1]!["hooks"]![0]!["command"]!.GetValue<string>());
        var pre = merged["hooks"]!["PreToolUse"]!.AsArray();
        Assert.True(JsonNode.DeepEquals(original["hooks"]!["PreToolUse"]![0], pre[0]));
        Assert.True(JsonNode.DeepEquals(original["hooks"]!["PreToolUse"]![1], pre[1]));
        Assert.Equal(Command, pre[2]!["hooks"]![0]!["command"]!.GetValue<string>());
    }

    [Fact]
    public async Task Install_Twice_AddsNothingTheSecondTime()
    {
        await InstallAsync();
        var first = await File.ReadAllBytesAsync(Settings);

        var again = await InstallAsync();

        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains("already installed", again.Stdout);
        Assert.Equal(first, await File.ReadAllBytesAsync(Settings));
    }

    [Theory]
    [InlineData("{ \"hooks\": { ")]
    [InlineData("[1, 2]")]
    [InlineData("{ \"hooks\": [] }")]
    [InlineData("{ \"model\": \"sonnet\" /* a comment the merge would lose */ }")]
    public async Task Install_IntoASettingsFileThatCannotBeMerged_ExitsOneAndLeavesItUntouched(string content)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Settings)!);
        await File.WriteAllTextAsync(Settings, content);

        var result = await InstallAsync();

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("Nothing was changed", result.Stderr);
        Assert.Equal(content, await File.ReadAllTextAsync(Settings));
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(Settings)!));
    }

    [Fact]
    public async Task Install_WithServerAndApiKey_WritesTheUrlIntoSettingsAndTheKeyIntoTheLocalSettingsOnly()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Settings)!);
        await File.WriteAllTextAsync(Settings, """{ "env": { "NODE_ENV": "test" } }""");

        var result = await CliProcess.TaskFlowAsync(["hooks", "install", _dir, "--command", Command, "--server", "http://127.0.0.1:5080/", "--api-key", "a-key-of-at-least-16-chars"], null, _dir);

        Assert.True(result.ExitCode == 0, result.ToString());
        var settings = JsonNode.Parse(await File.ReadAllTextAsync(Settings))!;
        Assert.Equal("test", settings["env"]!["NODE_ENV"]!.GetValue<string>());
        Assert.Equal("http://127.0.0.1:5080", settings["env"]!["TASKFLOW_URL"]!.GetValue<string>());
        Assert.Null(settings["env"]!["TASKFLOW_API_KEY"]);
        Assert.DoesNotContain("a-key-of-at-least-16-chars", await File.ReadAllTextAsync(Settings), StringComparison.Ordinal);
        var local = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(_dir, ".claude", "settings.local.json")))!;
        Assert.Equal("a-key-of-at-least-16-chars", local["env"]!["TASKFLOW_API_KEY"]!.GetValue<string>());
        Assert.Null(local["hooks"]);

        var again = await CliProcess.TaskFlowAsync(["hooks", "install", _dir, "--command", Command, "--server", "http://127.0.0.1:5080"], null, _dir);
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains("TASKFLOW_URL is already http://127.0.0.1:5080", again.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ftp://127.0.0.1:5080")]
    [InlineData("127.0.0.1:5080")]
    [InlineData("not a url")]
    public async Task Install_WithAServerThatIsNotAnHttpUrl_ExitsNonZeroNamingItAndWritesNothing(string server)
    {
        var result = await CliProcess.TaskFlowAsync(["hooks", "install", _dir, "--command", Command, "--server", server], null, _dir);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains($"--server '{server}' is not an http:// or https:// URL", result.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Settings));
    }

    private Task<CliResult> InstallAsync() => CliProcess.TaskFlowAsync(["hooks", "install", _dir, "--command", Command], null, _dir);
}
