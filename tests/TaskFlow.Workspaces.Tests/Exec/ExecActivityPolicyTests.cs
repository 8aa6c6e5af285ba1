using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TaskFlow.Core.Activities;
using TaskFlow.Core.Model;
using TaskFlow.Engine.Activities;
using TaskFlow.Workspaces.Container;
using TaskFlow.Workspaces.Process;

namespace TaskFlow.Workspaces.Tests.Exec;

/// <summary>
/// The <c>exec</c> activity runs where the node's <c>workspace</c> says, over real sandboxed-process
/// workspaces. The host's default is <c>container</c> with no container engine registered, so a
/// command that ignored the node's policy would fail with "not available".
/// </summary>
public sealed class ExecActivityPolicyTests : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("taskflow-exec-").FullName;
    private readonly ProcessWorkspaceProvider _provider = new(
        Options.Create(new ProcessWorkspaceOptions { CgroupParent = "taskflow-test-" + Guid.NewGuid().ToString("N")[..8] }),
        NullLogger<ProcessWorkspaceProvider>.Instance,
        TimeProvider.System);

    private static readonly WorkspaceLimits Small = new() { MemoryBytes = 256L << 20, Cpus = 1, Pids = 64, DiskBytes = 8L << 20 };

    private readonly ServiceProvider _services = new ServiceCollection().BuildServiceProvider();
    private WorkspaceManager _manager = null!;
    private ExecActivity _exec = null!;

    public async Task InitializeAsync()
    {
        // Temporary folders are private (0700); the sandbox user must be able to pass through.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(_root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        }

        var problem = await _provider.CheckAvailableAsync(CancellationToken.None);
        Assert.True(problem is null, $"The process workspaces cannot run here: {problem}");

        var options = Options.Create(new WorkspaceOptions
        {
            DefaultIsolation = IsolationMode.Container,
            Limits = Small,
        });
        _manager = new WorkspaceManager(options, new WorkspaceRoot(_root), [_provider], NullLogger<WorkspaceManager>.Instance, TimeProvider.System);
        _exec = new ExecActivity(_manager, options);
    }

    public async Task DisposeAsync()
    {
        foreach (var workspace in _manager.List())
        {
            await _manager.DestroyAsync(workspace.Workspace.Id, CleanupMode.Immediate);
        }

        await _manager.DisposeAsync();
        foreach (var id in await _provider.ListOwnedAsync(CancellationToken.None))
        {
            await _provider.DestroyAsync(id, CancellationToken.None);
        }

        _provider.Dispose();
        await _services.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task Exec_NodeWorkspaceModeProcess_RunsInTheSandbox()
    {
        var result = await RunAsync(new WorkspacePolicy { Mode = "process" }, new JsonObject { ["script"] = "echo ran" });

        var output = Assert.IsType<SucceededResult>(result).Output!.AsObject();
        Assert.Equal("process", output["isolation"]!.GetValue<string>());
        Assert.Equal("ran\n", output["stdout"]!.GetValue<string>());
    }

    [Fact]
    public async Task Exec_NodeWorkspaceLimits_AreRead()
    {
        var policy = new WorkspacePolicy { Mode = "process", Limits = new JsonObject { ["memory"] = "lots" } };

        var result = await RunAsync(policy, new JsonObject { ["command"] = new JsonArray("true") });

        var failed = Assert.IsType<FailedResult>(result);
        Assert.False(failed.Retryable);
        Assert.Contains("'workspace.limits.memory' is 'lots'", failed.Error);
    }

    [Fact]
    public async Task Exec_DeprecatedIsolationSpellingOnTheNode_IsRead()
    {
        var policy = new WorkspacePolicy { Extensions = new() { ["isolation"] = System.Text.Json.JsonSerializer.SerializeToElement("process") } };

        var result = await RunAsync(policy, new JsonObject { ["command"] = new JsonArray("true") });

        Assert.Equal("process", Assert.IsType<SucceededResult>(result).Output!["isolation"]!.GetValue<string>());
    }

    [Fact]
    public async Task Exec_WithoutNodeWorkspace_ReadsTheDeprecatedInputsWorkspace()
    {
        var inputs = new JsonObject { ["command"] = new JsonArray("true"), ["workspace"] = new JsonObject { ["isolation"] = "process" } };

        var result = await RunAsync(null, inputs);

        Assert.Equal("process", Assert.IsType<SucceededResult>(result).Output!["isolation"]!.GetValue<string>());
    }

    [Fact]
    public async Task Exec_NodeWorkspaceAndInputsWorkspace_FailsNamingBoth()
    {
        var inputs = new JsonObject { ["command"] = new JsonArray("true"), ["workspace"] = new JsonObject { ["isolation"] = "process" } };

        var result = await RunAsync(new WorkspacePolicy { Mode = "process" }, inputs);

        var failed = Assert.IsType<FailedResult>(result);
        Assert.False(failed.Retryable);
        Assert.Contains("'inputs.workspace'", failed.Error);
        Assert.Empty(_manager.List());
    }

    [Fact]
    public async Task Exec_ModeAuto_WithNoEngineAnswering_RunsInTheSandbox()
    {
        // A container engine address where nothing listens: Docker is unavailable for this test.
        var deadEngine = $"unix://{Path.Combine(_root, "no-engine.sock")}";
        using var containers = new ContainerWorkspaceProvider(
            Options.Create(new ContainerWorkspaceOptions { DockerHost = deadEngine }),
            NullLogger<ContainerWorkspaceProvider>.Instance,
            TimeProvider.System);
        var options = Options.Create(new WorkspaceOptions { DefaultIsolation = IsolationMode.Auto, Limits = Small });
        await using var manager = new WorkspaceManager(options, new WorkspaceRoot(Path.Combine(_root, "auto")), [containers, _provider], NullLogger<WorkspaceManager>.Instance, TimeProvider.System);

        var result = await RunAsync(new WorkspacePolicy { Mode = "auto" }, new JsonObject { ["command"] = new JsonArray("true") }, new ExecActivity(manager, options));

        Assert.Equal("process", Assert.IsType<SucceededResult>(result).Output!["isolation"]!.GetValue<string>());
    }

    [Fact]
    public async Task Exec_ModeAuto_WithNothingAvailable_FailsNamingBoth()
    {
        var deadEngine = $"unix://{Path.Combine(_root, "no-engine.sock")}";
        using var containers = new ContainerWorkspaceProvider(
            Options.Create(new ContainerWorkspaceOptions { DockerHost = deadEngine }),
            NullLogger<ContainerWorkspaceProvider>.Instance,
            TimeProvider.System);
        var options = Options.Create(new WorkspaceOptions { DefaultIsolation = IsolationMode.Auto, Limits = Small });
        await using var manager = new WorkspaceManager(options, new WorkspaceRoot(Path.Combine(_root, "auto")), [containers], NullLogger<WorkspaceManager>.Instance, TimeProvider.System);

        var result = await RunAsync(null, new JsonObject { ["command"] = new JsonArray("true") }, new ExecActivity(manager, options));

        var failed = Assert.IsType<FailedResult>(result);
        Assert.Contains("'auto'", failed.Error);
        Assert.Contains("container: ", failed.Error);
        Assert.Contains(deadEngine.Replace("unix://", ""), failed.Error);
        Assert.Contains("process: no provider for it is configured", failed.Error);
    }

    private ValueTask<ActivityResult> RunAsync(WorkspacePolicy? workspace, JsonObject inputs, ExecActivity? exec = null) => (exec ?? _exec).ExecuteAsync(new ActivityContext
    {
        InstanceId = "instance-" + Guid.NewGuid().ToString("N")[..8],
        NodeId = "run",
        Attempt = 1,
        Inputs = inputs,
        Workspace = workspace,
        Services = _services,
        Time = TimeProvider.System,
    });
}
