using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Protocol;
using TaskFlow.Core.Activities;
using TaskFlow.Core.Model;
using TaskFlow.Engine.Activities;
using TaskFlow.Routing;
using TaskFlow.Testing;
using TaskFlow.Workspaces.Container;
using TaskFlow.Workspaces.Mcp;
using TaskFlow.Workspaces.Tests.Container;

namespace TaskFlow.Workspaces.Tests.Mcp;

/// <summary>
/// Real npm MCP servers of the fleet confined to a <c>container</c> workspace, through the real
/// router and the real Docker engine. The test image (<c>local/busybox</c>) has no Node.js: the
/// host's own node and its libraries (<c>/usr</c>, <c>/lib</c>, <c>/lib64</c>) and the servers'
/// packages are mounted read-only, as a policy's <c>mounts</c> would; in production the policy
/// names an image with Node.js instead. The filesystem server is allowed the whole file system
/// ("/"), so that only the container stands between it and the host.
/// </summary>
[Collection(DockerEngineCollection.Name)]
public sealed class ContainerUpstreamTests(DockerEngineFixture engine) : ConfinedServerTestBase("taskflow-mcp-container-", IsolationMode.Container)
{
    private static readonly string[] NodeMounts = ["/usr", "/lib", "/lib64"];

    private readonly ContainerWorkspaceProvider _provider = DockerEngineFixture.CreateProvider(new ContainerWorkspaceOptions { DockerHost = engine.Host });

    protected override IWorkspaceProvider Provider => _provider;

    [Fact]
    public async Task FilesystemServer_InAContainer_WritesInsideTheWorkspace_AndCannotReachTheHost()
    {
        var outside = Path.Combine(HostFolder, "written-from-the-server.txt");
        await using (var router = Router(("fs", McpTestServers.Filesystem("/"))))
        {
            var inside = await CallAsync(router, "fs", "write_file", new() { ["path"] = "/workspace/inside.txt", ["content"] = "made inside" });
            var escape = await CallAsync(router, "fs", "write_file", new() { ["path"] = outside, ["content"] = "escaped" });
            var rootWrite = await CallAsync(router, "fs", "write_file", new() { ["path"] = "/etc-evil.txt", ["content"] = "escaped" });
            var mounted = await CallAsync(router, "fs", "write_file", new() { ["path"] = Path.Combine(McpTestServers.Folder, "evil.txt"), ["content"] = "escaped" });
            var secret = await CallAsync(router, "fs", "read_file", new() { ["path"] = Path.Combine(HostFolder, "secret.txt") });

            Assert.True(inside.IsError != true, Text(inside));
            Assert.True(escape.IsError, "a write to a host folder outside the workspace succeeded: " + Text(escape));
            Assert.True(rootWrite.IsError, "a write to the container's root succeeded: " + Text(rootWrite));
            Assert.True(mounted.IsError, "a write to the read-only mount of the server's files succeeded: " + Text(mounted));
            Assert.True(secret.IsError, "the server read a host file: " + Text(secret));
            Assert.DoesNotContain("host secret", Text(secret));

            // The server runs in a container workspace of its own, and what it wrote is in that
            // workspace's folder on the host, and nowhere else.
            var workspace = Assert.Single(Manager.List());
            Assert.Equal(IsolationMode.Container, workspace.Workspace.Isolation);
            Assert.Equal("mcp:fs", workspace.Workspace.Owner.NodeId);
            Assert.Single(await _provider.ListOwnedAsync(CancellationToken.None));
            Assert.True(router.IsConfined("fs"));
            Assert.Equal("made inside", await File.ReadAllTextAsync(Path.Combine(Root, workspace.Workspace.Id, "files", "inside.txt")));
            Assert.False(File.Exists(outside));
            Assert.False(File.Exists(Path.Combine(McpTestServers.Folder, "evil.txt")));
            Assert.Equal(["secret.txt"], Directory.GetFiles(HostFolder).Select(Path.GetFileName));
        }

        // The workspace lives as long as the server: gone, with its container, once the router closed it.
        Assert.Empty(Manager.List());
        Assert.Empty(await _provider.ListOwnedAsync(CancellationToken.None));
    }

    [Fact]
    public async Task CommandsServer_InAContainer_RunsAsTheWorkspaceUser_WithNoNetwork_AndTheSecretInItsEnvironmentOnly()
    {
        var launch = McpTestServers.Commands();
        await using var router = Router(("sh", launch with { Environment = new Dictionary<string, string>(launch.Environment) { ["SERVER_TOKEN"] = "token-for-the-server" } }));

        var who = await CallAsync(router, "sh", "run_command", new() { ["command"] = "id -u; pwd; echo token=$SERVER_TOKEN; cat /proc/1/cmdline | tr '\\0' ' '; echo; echo made > here.txt" });
        var escape = await CallAsync(router, "sh", "run_command", new() { ["command"] = $"echo escaped > {HostFolder}/from-commands.txt" });
        var network = await CallAsync(router, "sh", "run_command", new() { ["command"] = "cat /sys/class/net/*/operstate 2>&1; ls /sys/class/net" });

        var text = Text(who);
        Assert.Contains("65534", text);
        Assert.Contains("/workspace", text);
        Assert.Contains("token=token-for-the-server", text);
        Assert.Contains("docker-init", text);
        Assert.False(File.Exists(Path.Combine(HostFolder, "from-commands.txt")), Text(escape));

        // With no network: the loopback interface and nothing else.
        Assert.Equal("lo", Text(network).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Last());
        var workspace = Assert.Single(Manager.List());
        Assert.Equal("made\n", await File.ReadAllTextAsync(Path.Combine(Root, workspace.Workspace.Id, "files", "here.txt")));
    }

    [Fact]
    public async Task OnlyWhenAsked_ANodeThatAsksForAContainer_GetsACopyInAContainer_GoneAfterItsCall()
    {
        var options = RoutingOptions(("fs", McpTestServers.Filesystem("/")));
        options.Servers["fs"].Workspace!.Mode = "process";
        options.Servers["fs"].Workspace!.OnlyWhenAsked = true;
        await using var router = Router(options);
        var activity = new McpCallActivity(router);
        var outside = Path.Combine(HostFolder, "written-by-the-node.txt");

        var inside = await RunNodeAsync(activity, new WorkspacePolicy { Mode = "container", Limits = new JsonObject { ["pids"] = 48 } }, "/workspace/inside.txt");
        var escape = await RunNodeAsync(activity, new WorkspacePolicy { Mode = "container" }, outside);

        Assert.True(Assert.IsType<SucceededResult>(inside).Output!["confined"]!.GetValue<bool>());
        Assert.Contains("reported an error", Assert.IsType<FailedResult>(escape).Error, StringComparison.Ordinal);
        Assert.False(File.Exists(outside));
        Assert.Empty(Manager.List());
        Assert.Empty(await _provider.ListOwnedAsync(CancellationToken.None));

        // A mode no confined server runs in: refused, naming the ones that work.
        var vm = await RunNodeAsync(activity, new WorkspacePolicy { Mode = "vm" }, "/workspace/x.txt");
        Assert.Contains("process, container or auto", Assert.IsType<FailedResult>(vm).Error, StringComparison.Ordinal);
    }

    private McpRouter Router(params (string Name, StdioLaunch Launch)[] servers) => Router(RoutingOptions(servers));

    private static McpRoutingOptions RoutingOptions(params (string Name, StdioLaunch Launch)[] servers)
    {
        var options = new McpRoutingOptions();
        foreach (var (name, launch) in servers)
        {
            options.Servers[name] = new UpstreamServerOptions
            {
                // The image has no PATH entry for node: name the host's, which the mounts bring in.
                Command = "/usr/bin/node",
                Arguments = [.. launch.Arguments],
                Environment = new Dictionary<string, string>(launch.Environment),
                Workspace = new UpstreamWorkspaceOptions { Mode = "container", Memory = "512m", Pids = 64, Disk = "16m", Mounts = [.. NodeMounts, McpTestServers.Folder] },
            };
        }

        return options;
    }
}
