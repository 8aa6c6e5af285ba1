using Docker.DotNet.Models;
using TaskFlow.Workspaces.Container;

namespace TaskFlow.Workspaces.Tests.Container;

/// <summary>
/// The exec agent against the real engine: commands reach it with no engine exec, arrive
/// unchanged, and fall back to an exec where the agent cannot carry them. The containment tests
/// (<see cref="ContainerWorkspaceSecurityTests"/>) run through the agent too, since it is on by default.
/// </summary>
[Collection(DockerEngineCollection.Name)]
public sealed class ExecAgentTests(DockerEngineFixture engine)
{
    [Fact]
    public async Task ExecAsync_AgentOn_RunsTheCommandWithNoEngineExec()
    {
        await using var workspace = await engine.CreateWorkspaceAsync();
        var since = DateTimeOffset.UtcNow;

        var result = await workspace.ShAsync("echo hi from $(id -u) in $(pwd); echo oops >&2; exit 3");

        Assert.Equal((3, "hi from 65534 in /workspace\n", "oops\n"), (result.ExitCode, result.Stdout, result.Stderr));
        Assert.Equal(0, await ExecsSinceAsync(workspace, since));

        // The answers (the command's output) are not kept in the engine's container log.
        Assert.Equal("none", (await engine.InspectAsync(workspace)).HostConfig.LogConfig.Type);
    }

    [Fact]
    public async Task ExecAsync_AgentOff_UsesAnEngineExec()
    {
        using var provider = DockerEngineFixture.CreateProvider(new ContainerWorkspaceOptions { DockerHost = engine.Host, ExecAgent = false });
        var info = TestWorkspace.NewInfo();
        await using var workspace = new TestWorkspace(provider, info);
        await provider.CreateAsync(info, CancellationToken.None);
        var since = DateTimeOffset.UtcNow;

        var result = await workspace.ShAsync("echo plain");

        Assert.Equal("plain\n", result.Stdout);
        Assert.Equal(1, await ExecsSinceAsync(workspace, since));
        Assert.Equal(["sleep", "infinity"], (await engine.InspectAsync(workspace)).Config.Entrypoint);
    }

    [Fact]
    public async Task ExecAsync_ArgumentsWithQuotesNewlinesAndGlobs_ArriveUnchanged()
    {
        await using var workspace = await engine.CreateWorkspaceAsync();
        var since = DateTimeOffset.UtcNow;
        string[] arguments = ["it's", "two\nlines", "*", "$HOME", "\"quoted\"", "", "back\\slash", "  spaced  "];

        var result = await workspace.ExecAsync(new ExecRequest(
            ["sh", "-c", "for a do printf '[%s]' \"$a\"; done", "name", .. arguments],
            Environment: new Dictionary<string, string> { ["MULTI"] = "a'b\nc" },
            Timeout: TestWorkspace.DefaultTimeout));
        var env = await workspace.ExecAsync(new ExecRequest(["sh", "-c", "printf '%s' \"$MULTI\""], Environment: new Dictionary<string, string> { ["MULTI"] = "a'b\nc" }, Timeout: TestWorkspace.DefaultTimeout));

        Assert.Equal(string.Concat(arguments.Select(a => $"[{a}]")), result.Stdout);
        Assert.Equal("a'b\nc", env.Stdout);
        Assert.Equal(0, await ExecsSinceAsync(workspace, since));
    }

    [Fact]
    public async Task ExecAsync_EnvironmentNameTheShellCannotExport_FallsBackToAnExec()
    {
        await using var workspace = await engine.CreateWorkspaceAsync();
        var since = DateTimeOffset.UtcNow;

        var result = await workspace.ExecAsync(new ExecRequest(["env"], Environment: new Dictionary<string, string> { ["dotted.name"] = "kept" }, Timeout: TestWorkspace.DefaultTimeout));

        Assert.Contains("dotted.name=kept", result.Stdout);
        Assert.Equal(1, await ExecsSinceAsync(workspace, since));
    }

    [Fact]
    public async Task ExecAsync_AfterTheContainerRestarted_AttachesToTheNewAgent()
    {
        await using var workspace = await engine.CreateWorkspaceAsync();
        Assert.Equal("before\n", (await workspace.ShAsync("echo before")).Stdout);

        await engine.Docker.Containers.RestartContainerAsync(ContainerWorkspaceSpec.ContainerName(workspace.Id), new ContainerRestartParameters { WaitBeforeKillSeconds = 0 });
        var since = DateTimeOffset.UtcNow;
        var after = await workspace.ShAsync("echo after");

        Assert.Equal("after\n", after.Stdout);
        Assert.Equal(0, await ExecsSinceAsync(workspace, since));
    }

    [Fact]
    public async Task ExecAsync_ConcurrentCommandsWithLargeOutput_EachGetsItsOwn()
    {
        await using var workspace = await engine.CreateWorkspaceAsync();

        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(i =>
            workspace.ExecAsync(new ExecRequest(["sh", "-c", $"yes {i} | head -c 200000"], Timeout: TestWorkspace.DefaultTimeout, MaxOutputBytes: 150_000))));

        for (var i = 0; i < results.Length; i++)
        {
            Assert.Equal(200_000, results[i].StdoutBytes);
            Assert.True(results[i].StdoutTruncated);
            Assert.Equal(150_000, results[i].Stdout.Length);
            Assert.All(results[i].Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => Assert.Equal(i.ToString(), line));
        }
    }

    /// <summary>How many engine execs were created in the workspace's container since <paramref name="since"/> (the engine's exec_create events).</summary>
    private async Task<int> ExecsSinceAsync(TestWorkspace workspace, DateTimeOffset since)
    {
        var events = new Events();
        await engine.Docker.System.MonitorEventsAsync(
            new ContainerEventsParameters
            {
                Since = (since.ToUnixTimeSeconds() - 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
                Until = (DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
                Filters = new Dictionary<string, IDictionary<string, bool>>
                {
                    ["type"] = new Dictionary<string, bool> { ["container"] = true },
                    ["container"] = new Dictionary<string, bool> { [ContainerWorkspaceSpec.ContainerName(workspace.Id)] = true },
                },
            },
            events,
            CancellationToken.None);
        return events.ExecsCreated;
    }

    /// <summary>Counts as the events arrive (Progress&lt;T&gt; would count later, on the thread pool).</summary>
    private sealed class Events : IProgress<Message>
    {
        private int _execsCreated;

        public int ExecsCreated => Volatile.Read(ref _execsCreated);

        public void Report(Message value)
        {
            if (value.Action.StartsWith("exec_create", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _execsCreated);
            }
        }
    }
}
