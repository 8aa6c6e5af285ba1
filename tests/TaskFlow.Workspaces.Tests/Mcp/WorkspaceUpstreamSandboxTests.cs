using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Protocol;
using TaskFlow.Core.Activities;
using TaskFlow.Core.Model;
using TaskFlow.Engine.Activities;
using TaskFlow.Routing;
using TaskFlow.Testing;
using TaskFlow.Workspaces.Mcp;
using TaskFlow.Workspaces.Process;

namespace TaskFlow.Workspaces.Tests.Mcp;

/// <summary>
/// Real npm MCP servers of the fleet, confined to a workspace by their policy, through the real
/// router, bubblewrap and cgroups. The filesystem server is allowed the whole file system ("/"),
/// so that only the sandbox stands between it and the host.
/// </summary>
public sealed class WorkspaceUpstreamSandboxTests() : ConfinedServerTestBase("taskflow-mcp-confined-", IsolationMode.Process)
{
    private readonly ProcessWorkspaceProvider _provider = new(
        Options.Create(new ProcessWorkspaceOptions { CgroupParent = "taskflow-test-" + Guid.NewGuid().ToString("N")[..8] }),
        NullLogger<ProcessWorkspaceProvider>.Instance,
        TimeProvider.System);

    protected override IWorkspaceProvider Provider => _provider;

    [Fact]
    public async Task FilesystemServer_Confined_WritesInsideTheWorkspace_AndCannotReachTheHost()
    {
        var outside = Path.Combine(HostFolder, "written-from-the-server.txt");
        await using (var router = Router(("fs", McpTestServers.Filesystem("/"))))
        {
            var inside = await CallAsync(router, "fs", "write_file", new() { ["path"] = "/workspace/inside.txt", ["content"] = "made inside" });
            var escape = await CallAsync(router, "fs", "write_file", new() { ["path"] = outside, ["content"] = "escaped" });
            var rootWrite = await CallAsync(router, "fs", "write_file", new() { ["path"] = "/etc-evil.txt", ["content"] = "escaped" });
            var secret = await CallAsync(router, "fs", "read_file", new() { ["path"] = Path.Combine(HostFolder, "secret.txt") });

            Assert.True(inside.IsError != true, Text(inside));
            Assert.True(escape.IsError, "a write to a host folder outside the workspace succeeded: " + Text(escape));
            Assert.True(rootWrite.IsError, "a write to the sandbox's root succeeded: " + Text(rootWrite));
            Assert.True(secret.IsError, "the server read a host file: " + Text(secret));
            Assert.DoesNotContain("host secret", Text(secret));

            // What the server wrote is in its workspace folder on the host, and nowhere else.
            var workspace = Assert.Single(Manager.List());
            Assert.Equal("mcp:fs", workspace.Workspace.Owner.NodeId);
            Assert.Equal("made inside", await File.ReadAllTextAsync(Path.Combine(Root, workspace.Workspace.Id, "files", "inside.txt")));
            Assert.False(File.Exists(outside));
            Assert.Equal(["secret.txt"], Directory.GetFiles(HostFolder).Select(Path.GetFileName));
        }

        // The workspace lives as long as the server: gone, with its sandbox, once the router closed it.
        Assert.Empty(Manager.List());
        Assert.Empty(await _provider.ListOwnedAsync(CancellationToken.None));
    }

    [Fact]
    public async Task CommandsServer_Confined_RunsAsTheSandboxUser_InItsWorkspace_WithNoNetwork()
    {
        await using var router = Router(("sh", McpTestServers.Commands()));

        var who = await CallAsync(router, "sh", "run_command", new() { ["command"] = "id -u; pwd; ls /home /root 2>&1; cat /etc/passwd 2>&1; echo made > here.txt" });
        await CallAsync(router, "sh", "run_command", new() { ["command"] = $"echo escaped > {HostFolder}/from-commands.txt" });

        var text = Text(who);
        Assert.Contains("65534", text);
        Assert.Contains("/workspace", text);
        Assert.Contains("No such file or directory", text);
        Assert.DoesNotContain("root:x:0:0", text);
        Assert.False(File.Exists(Path.Combine(HostFolder, "from-commands.txt")));
        var workspace = Assert.Single(Manager.List());
        Assert.Equal("made\n", await File.ReadAllTextAsync(Path.Combine(Root, workspace.Workspace.Id, "files", "here.txt")));
    }

    [Fact]
    public async Task OnlyWhenAsked_RunsOnTheHostForOtherCalls_AndANodeThatAsksGetsAConfinedCopyGoneAfterItsCall()
    {
        var options = RoutingOptions(("fs", McpTestServers.Filesystem("/")));
        options.Servers["fs"].Workspace!.OnlyWhenAsked = true;
        await using var router = Router(options);
        var activity = new McpCallActivity(router);

        // A call that asks for no workspace runs on the host, where the server reaches the host's files.
        var onHost = Path.Combine(HostFolder, "written-on-the-host.txt");
        var plain = await CallAsync(router, "fs", "write_file", new() { ["path"] = onHost, ["content"] = "host call" });
        Assert.True(plain.IsError != true, Text(plain));
        Assert.Equal("host call", await File.ReadAllTextAsync(onHost));
        Assert.Empty(Manager.List());

        // A node whose policy asks for a workspace: a confined copy, made for its call.
        var outside = Path.Combine(HostFolder, "written-by-the-node.txt");
        var inside = await RunNodeAsync(activity, new WorkspacePolicy { Mode = "process", Limits = new JsonObject { ["pids"] = 32 } }, "/workspace/inside.txt");
        var escape = await RunNodeAsync(activity, new WorkspacePolicy { Mode = "auto" }, outside);

        Assert.True(Assert.IsType<SucceededResult>(inside).Output!["confined"]!.GetValue<bool>());
        Assert.Contains("reported an error", Assert.IsType<FailedResult>(escape).Error, StringComparison.Ordinal);
        Assert.False(File.Exists(outside));

        // Each copy, its process and its workspace are gone once its call has ended.
        Assert.Empty(Manager.List());
        Assert.Empty(await _provider.ListOwnedAsync(CancellationToken.None));

        // A container asked for on a host that offers none: the call fails, saying so, and
        // nothing runs on the host instead.
        var container = await RunNodeAsync(activity, new WorkspacePolicy { Mode = "container" }, "/workspace/x.txt");
        Assert.Contains("container", Assert.IsType<FailedResult>(container).Error, StringComparison.Ordinal);
        Assert.Empty(Manager.List());
    }

    [Fact]
    public async Task OnlyWhenAsked_TheNodesLimitsOverTheServers_AreTheCopysWorkspaceLimits()
    {
        var options = RoutingOptions(("sh", McpTestServers.Commands()));
        options.Servers["sh"].Workspace!.OnlyWhenAsked = true;
        await using var router = Router(options);
        var activity = new McpCallActivity(router);

        // The node asks for 32 processes and 128 MB; the server's policy says 64 and 512m, its disk 16m stays.
        var call = activity.ExecuteAsync(new ActivityContext
        {
            InstanceId = "instance-" + Guid.NewGuid().ToString("N")[..8],
            NodeId = "sleep",
            Attempt = 1,
            Inputs = new JsonObject { ["tool"] = "run_command", ["server"] = "sh", ["arguments"] = new JsonObject { ["command"] = "sleep 3; echo slept" } },
            Workspace = new WorkspacePolicy { Mode = "process", Limits = new JsonObject { ["pids"] = 32, ["memory"] = "128m" } },
            Services = Microsoft.Extensions.DependencyInjection.ServiceCollectionContainerBuilderExtensions.BuildServiceProvider(new Microsoft.Extensions.DependencyInjection.ServiceCollection()),
            Time = TimeProvider.System,
        }).AsTask();
        WorkspaceView? copy = null;
        while (copy is null && !call.IsCompleted)
        {
            copy = Manager.List().SingleOrDefault();
            await Task.Delay(20);
        }

        var result = await call;
        Assert.True(result is SucceededResult, result.ToString());
        Assert.NotNull(copy);
        Assert.Equal("mcp:sh", copy.Workspace.Owner.NodeId);
        Assert.Equal(32, copy.Workspace.Limits.Pids);
        Assert.Equal(128L << 20, copy.Workspace.Limits.MemoryBytes);
        Assert.Equal(16L << 20, copy.Workspace.Limits.DiskBytes);
        Assert.Empty(Manager.List());
    }

    [Fact]
    public async Task ServerWithAWorkspacePolicy_WithoutWorkspaces_FailsToStartSayingWhy()
    {
        var options = RoutingOptions(("fs", McpTestServers.Filesystem("/")));
        await using var router = new McpRouter(Microsoft.Extensions.Options.Options.Create(options), new RoutingMetrics(), NullLoggerFactory.Instance, TimeProvider.System);

        var error = await Assert.ThrowsAnyAsync<Exception>(() => router.CallToolAsync(new McpToolCall("write_file", new JsonObject { ["path"] = "/workspace/x", ["content"] = "x" }, Server: "fs")));

        Assert.Contains("has no workspaces", error.ToString());
        Assert.Empty(Manager.List());
    }

    private McpRouter Router(params (string Name, StdioLaunch Launch)[] servers) => Router(RoutingOptions(servers));

    private static McpRoutingOptions RoutingOptions(params (string Name, StdioLaunch Launch)[] servers)
    {
        var options = new McpRoutingOptions();
        foreach (var (name, launch) in servers)
        {
            options.Servers[name] = new UpstreamServerOptions
            {
                Command = launch.Command,
                Arguments = [.. launch.Arguments],
                Environment = new Dictionary<string, string>(launch.Environment),

                // The server's own files are all it needs of the host, read-only.
                Workspace = new UpstreamWorkspaceOptions { Memory = "512m", Pids = 64, Disk = "16m", Mounts = [McpTestServers.Folder] },
            };
        }

        return options;
    }
}
