using System.Globalization;
using System.Runtime.Versioning;
using System.Text;
using Docker.DotNet;
using Docker.DotNet.Models;
using TaskFlow.Workspaces.Container;

namespace TaskFlow.Workspaces.Tests.Container;

/// <summary>The container provider against a real engine: the container's life, and commands in it.</summary>
[Collection(DockerEngineCollection.Name)]
[SupportedOSPlatform("linux")]
public sealed class ContainerWorkspaceProviderTests(DockerEngineFixture engine)
{
    private ContainerWorkspaceProvider Provider => engine.Provider;

    [Fact]
    public async Task CreateExecDestroy_CommandWritesTheFolder_ContainerGoneAfterDestroy()
    {
        var workspace = TestWorkspace.NewInfo();
        try
        {
            await Provider.CreateAsync(workspace, CancellationToken.None);

            var result = await Provider.ExecAsync(workspace, new ExecRequest(["sh", "-c", "pwd; echo from-the-container > note.txt"]), CancellationToken.None);

            Assert.True(result.Succeeded, result.FailureReason + ": " + result.Stderr);
            Assert.Equal(ExecTermination.Exited, result.Termination);
            Assert.Equal(WorkspacePaths.Inside + "\n", result.Stdout);
            Assert.Equal("from-the-container\n", await File.ReadAllTextAsync(Path.Combine(workspace.Folder, "note.txt")));

            // The folder was given to the container user and closed to everyone else.
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(workspace.Folder));

            await Provider.DestroyAsync(workspace.Id, CancellationToken.None);

            await Assert.ThrowsAsync<DockerContainerNotFoundException>(() =>
                engine.Docker.Containers.InspectContainerAsync(ContainerWorkspaceSpec.ContainerName(workspace.Id), CancellationToken.None));
            Assert.True(Directory.Exists(workspace.Folder), "destroying the sandbox must leave the folder to the manager");
        }
        finally
        {
            await Provider.DestroyAsync(workspace.Id, CancellationToken.None);
            TestWorkspace.DeleteFolder(workspace.Folder);
        }
    }

    [Fact]
    public async Task ExecAsync_ExitCodeAndStreams_CapturedSeparately()
    {
        await using var workspace = await engine.CreateWorkspaceAsync();

        var result = await workspace.ShAsync("echo out; echo err >&2; echo 'ünïcødé ✓'; exit 3");

        Assert.Equal(3, result.ExitCode);
        Assert.Equal(ExecTermination.Exited, result.Termination);
        Assert.Equal("out\nünïcødé ✓\n", result.Stdout);
        Assert.Equal("err\n", result.Stderr);
        Assert.Equal(Encoding.UTF8.GetByteCount(result.Stdout), result.StdoutBytes);
        Assert.False(result.StdoutTruncated);
        Assert.Equal("exited with code 3", result.FailureReason);
    }

    [Fact]
    public async Task ExecAsync_OutputBeyondCap_KeptUpToCapAndCountedInFull()
    {
        await using var workspace = await engine.CreateWorkspaceAsync();

        var result = await workspace.ExecAsync(new ExecRequest(
            ["sh", "-c", "head -c 100000 /dev/zero | tr '\\0' a; head -c 5000 /dev/zero | tr '\\0' b >&2"],
            Timeout: TestWorkspace.DefaultTimeout,
            MaxOutputBytes: 1000));

        Assert.True(result.Succeeded, result.FailureReason);
        Assert.Equal(new string('a', 1000), result.Stdout);
        Assert.Equal(100_000, result.StdoutBytes);
        Assert.True(result.StdoutTruncated);
        Assert.Equal(new string('b', 1000), result.Stderr);
        Assert.Equal(5000, result.StderrBytes);
        Assert.True(result.StderrTruncated);
    }

    [Fact]
    public async Task ExecAsync_Stdin_WrittenThenClosed()
    {
        await using var workspace = await engine.CreateWorkspaceAsync();

        var echoed = await workspace.ExecAsync(new ExecRequest(["cat"], Stdin: "hello\nwörld\n", Timeout: TestWorkspace.DefaultTimeout));
        var large = await workspace.ExecAsync(new ExecRequest(["wc", "-c"], Stdin: new string('x', 300_000), Timeout: TestWorkspace.DefaultTimeout));
        var none = await workspace.ExecAsync(new ExecRequest(["cat"], Timeout: TestWorkspace.DefaultTimeout));

        Assert.True(echoed.Succeeded, echoed.FailureReason);
        Assert.Equal("hello\nwörld\n", echoed.Stdout);
        Assert.True(large.Succeeded, large.FailureReason);
        Assert.Equal("300000", large.Stdout.Trim());

        // No stdin is an empty input, not one left open: cat ends at once.
        Assert.True(none.Succeeded, none.FailureReason);
        Assert.Equal("", none.Stdout);
    }

    [Fact]
    public async Task ExecAsync_Environment_AddedToTheCommand()
    {
        await using var workspace = await engine.CreateWorkspaceAsync();

        var result = await workspace.ExecAsync(new ExecRequest(
            ["sh", "-c", "echo \"$GREETING|$SECOND|$HOME\""],
            Environment: new Dictionary<string, string> { ["GREETING"] = "hello world", ["SECOND"] = "a=b" },
            Timeout: TestWorkspace.DefaultTimeout));

        Assert.True(result.Succeeded, result.FailureReason);
        Assert.Equal("hello world|a=b|/tmp\n", result.Stdout);
    }

    [Fact]
    public async Task ExecAsync_Timeout_KillsBusyLoopAndItsBackgroundChildren()
    {
        await using var workspace = await engine.CreateWorkspaceAsync();
        var bystander = workspace.ShAsync("sleep 5; echo survived");

        // A busy loop, a background child, and a grandchild reparented to init at once.
        var result = await workspace.ExecAsync(new ExecRequest(
            ["sh", "-c", "sleep 1001 & (sleep 1002 &); echo started; while :; do :; done"],
            Timeout: TimeSpan.FromSeconds(2)));

        Assert.Equal(ExecTermination.TimedOut, result.Termination);
        Assert.Equal(137, result.ExitCode);
        Assert.Equal("started\n", result.Stdout);
        Assert.InRange(result.Duration, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(20));
        Assert.StartsWith("killed at its timeout", result.FailureReason);
        var left = await workspace.ProcessesAsync();
        Assert.DoesNotContain(left, p => p.Contains("sleep 100", StringComparison.Ordinal) || p.Contains("while", StringComparison.Ordinal));

        // Only that command's processes were killed: another command in the same workspace ran
        // on (restarting the container, the fallback where the host's processes are out of
        // sight, would have ended it too).
        var other = await bystander;
        Assert.True(other.Succeeded, $"the other command was stopped too: {other.FailureReason}");
        Assert.Equal("survived\n", other.Stdout);
    }

    [Fact]
    public async Task ExecAsync_TimeoutWhereHostProcessesUnseen_RestartsContainerToKill()
    {
        // Where TaskFlow cannot see the engine's processes (it runs in a container of its own),
        // the only kill left is the container's; the seam makes this host look like that.
        // Commands as execs: the exec agent kills from inside and never needs this fallback.
        using var provider = DockerEngineFixture.CreateProvider(new ContainerWorkspaceOptions { DockerHost = engine.Host, ExecAgent = false });
        provider.KillThroughHostProcesses = false;
        await using var workspace = await engine.CreateWorkspaceAsync();
        var startedBefore = (await engine.InspectAsync(workspace)).State.StartedAt;

        var result = await provider.ExecAsync(workspace.Info, new ExecRequest(["sh", "-c", "sleep 1006 & while :; do :; done"], Timeout: TimeSpan.FromSeconds(2)), CancellationToken.None);

        Assert.Equal(ExecTermination.TimedOut, result.Termination);
        Assert.InRange(result.Duration, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(20));
        var container = await engine.InspectAsync(workspace);
        Assert.True(container.State.Running);
        Assert.NotEqual(startedBefore, container.State.StartedAt);
        var left = await workspace.ProcessesAsync();
        Assert.DoesNotContain(left, p => p.Contains("sleep 1006", StringComparison.Ordinal) || p.Contains("while", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ExecAsync_Cancelled_KillsTheCommandAndSaysCancelled()
    {
        await using var workspace = await engine.CreateWorkspaceAsync();
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(1));

        var result = await workspace.ExecAsync(new ExecRequest(["sh", "-c", "sleep 1003 & while :; do :; done"], Timeout: TestWorkspace.DefaultTimeout), cancel.Token);

        Assert.Equal(ExecTermination.Cancelled, result.Termination);
        Assert.InRange(result.Duration, TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(20));
        var left = await workspace.ProcessesAsync();
        Assert.DoesNotContain(left, p => p.Contains("sleep 1003", StringComparison.Ordinal) || p.Contains("while", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ExecAsync_CancelledBeforeStart_NeverRuns()
    {
        await using var workspace = await engine.CreateWorkspaceAsync();

        var result = await workspace.ExecAsync(new ExecRequest(["touch", "ran"]), new CancellationToken(canceled: true));

        Assert.Equal(ExecTermination.Cancelled, result.Termination);
        Assert.Equal(-1, result.ExitCode);
        Assert.False(File.Exists(Path.Combine(workspace.Folder, "ran")));
    }

    [Fact]
    public async Task ExecAsync_CommandLeavesBackgroundProcess_KilledWhenItEnds()
    {
        await using var workspace = await engine.CreateWorkspaceAsync();

        var result = await workspace.ShAsync("sleep 1004 >/dev/null 2>&1 & echo started");

        Assert.True(result.Succeeded, result.FailureReason);
        Assert.Equal("started\n", result.Stdout);
        var left = await workspace.ProcessesAsync();
        Assert.DoesNotContain(left, p => p.Contains("sleep 1004", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ExecAsync_ContainerStopped_StartedAgainAndRuns()
    {
        await using var workspace = await engine.CreateWorkspaceAsync();
        await File.WriteAllTextAsync(Path.Combine(workspace.Folder, "kept.txt"), "kept");
        await engine.Docker.Containers.KillContainerAsync(ContainerWorkspaceSpec.ContainerName(workspace.Id), new ContainerKillParameters(), CancellationToken.None);

        var result = await workspace.ExecAsync("cat", "kept.txt");

        Assert.True(result.Succeeded, result.FailureReason + ": " + result.Stderr);
        Assert.Equal("kept", result.Stdout);
    }

    [Fact]
    public async Task ExecAsync_DestroyedWorkspace_ThrowsWorkspaceException()
    {
        var workspace = await engine.CreateWorkspaceAsync();
        await workspace.DisposeAsync();

        var error = await Assert.ThrowsAsync<WorkspaceException>(() => workspace.ExecAsync("true"));

        Assert.Contains(workspace.Id, error.Message);
    }

    [Fact]
    public async Task CreateAsync_Container_HasLabelsAndLimits()
    {
        var limits = new WorkspaceLimits { MemoryBytes = 96L * 1024 * 1024, Cpus = 0.5, Pids = 77, DiskBytes = 10L * 1024 * 1024 };
        await using var workspace = await engine.CreateWorkspaceAsync(limits, new WorkspaceOwner("instance-42", "node-7"));

        var container = await engine.InspectAsync(workspace);

        var labels = container.Config.Labels;
        Assert.Equal("taskflow", labels["taskflow.owner"]);
        Assert.Equal(workspace.Id, labels["taskflow.workspace"]);
        Assert.Equal("instance-42", labels["taskflow.instance"]);
        Assert.Equal("node-7", labels["taskflow.node"]);
        Assert.Equal("container", labels["taskflow.isolation"]);
        var expires = DateTimeOffset.Parse(labels["taskflow.expires"], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        Assert.Equal(workspace.Info.ExpiresAt.ToUnixTimeSeconds(), expires.ToUnixTimeSeconds());
        Assert.EndsWith("Z", labels["taskflow.expires"]);

        Assert.Equal("/taskflow-ws-" + workspace.Id, container.Name);
        Assert.True(container.State.Running);
        var host = container.HostConfig;
        Assert.Equal("none", host.NetworkMode);
        Assert.Equal(limits.MemoryBytes, host.Memory);
        Assert.Equal(limits.MemoryBytes, host.MemorySwap);
        Assert.Equal(500_000_000, host.NanoCPUs);
        Assert.Equal(77, host.PidsLimit);
        Assert.True(host.ReadonlyRootfs);
        Assert.Equal(["ALL"], host.CapDrop);
        Assert.Contains("no-new-privileges", host.SecurityOpt);
        Assert.True(host.Init);
        Assert.Equal("65534:65534", container.Config.User);
        var fsize = Assert.Single(host.Ulimits, u => u.Name == "fsize");
        Assert.Equal(limits.DiskBytes, fsize.Hard);
        var mount = Assert.Single(container.Mounts);
        Assert.Equal(WorkspacePaths.Inside, mount.Destination);
        Assert.True(mount.RW);
    }

    [Fact]
    public async Task ListOwnedAsync_FindsRunningAndStoppedWorkspacesUntilDestroyed()
    {
        await using var running = await engine.CreateWorkspaceAsync();
        await using var stopped = await engine.CreateWorkspaceAsync();
        await engine.Docker.Containers.StopContainerAsync(ContainerWorkspaceSpec.ContainerName(stopped.Id), new ContainerStopParameters { WaitBeforeKillSeconds = 0 }, CancellationToken.None);

        var owned = await Provider.ListOwnedAsync(CancellationToken.None);

        Assert.Contains(running.Id, owned);
        Assert.Contains(stopped.Id, owned);

        await Provider.DestroyAsync(stopped.Id, CancellationToken.None);
        Assert.DoesNotContain(stopped.Id, await Provider.ListOwnedAsync(CancellationToken.None));
    }

    [Fact]
    public async Task DestroyAsync_Twice_IsFine()
    {
        var workspace = await engine.CreateWorkspaceAsync();

        await workspace.DisposeAsync();
        await Provider.DestroyAsync(workspace.Id, CancellationToken.None);
        await Provider.DestroyAsync("never-created", CancellationToken.None);

        Assert.DoesNotContain(workspace.Id, await Provider.ListOwnedAsync(CancellationToken.None));
    }

    [Fact]
    public async Task CheckAvailableAsync_EngineUp_Null()
    {
        Assert.Null(await Provider.CheckAvailableAsync(CancellationToken.None));
    }

    [Fact]
    public async Task EngineUnreachable_CheckSaysWhereAndCreateThrowsUnavailable()
    {
        const string host = "unix:///nonexistent/taskflow-test/docker.sock";
        using var provider = DockerEngineFixture.CreateProvider(new ContainerWorkspaceOptions { DockerHost = host });
        var workspace = TestWorkspace.NewInfo();
        try
        {
            var problem = await provider.CheckAvailableAsync(CancellationToken.None);
            var error = await Assert.ThrowsAsync<WorkspaceUnavailableException>(() => provider.CreateAsync(workspace, CancellationToken.None));

            Assert.NotNull(problem);
            Assert.Contains(host, problem);
            Assert.Contains("does not answer", problem);
            Assert.Equal(IsolationMode.Container, error.Mode);
            Assert.Contains(host, error.Reason);
        }
        finally
        {
            TestWorkspace.DeleteFolder(workspace.Folder);
        }
    }

    [Fact]
    public async Task ImageMissing_CheckNamesItAndCreateThrowsUnavailable()
    {
        const string image = "local/taskflow-test-missing:none";
        using var provider = DockerEngineFixture.CreateProvider(new ContainerWorkspaceOptions { DockerHost = engine.Host, Image = image });
        var workspace = TestWorkspace.NewInfo();
        try
        {
            var problem = await provider.CheckAvailableAsync(CancellationToken.None);
            var error = await Assert.ThrowsAsync<WorkspaceUnavailableException>(() => provider.CreateAsync(workspace, CancellationToken.None));

            Assert.NotNull(problem);
            Assert.Contains(image, problem);
            Assert.Contains("missing", problem);
            Assert.Contains(image, error.Reason);
            Assert.DoesNotContain(workspace.Id, await provider.ListOwnedAsync(CancellationToken.None));
        }
        finally
        {
            await provider.DestroyAsync(workspace.Id, CancellationToken.None);
            TestWorkspace.DeleteFolder(workspace.Folder);
        }
    }
}
