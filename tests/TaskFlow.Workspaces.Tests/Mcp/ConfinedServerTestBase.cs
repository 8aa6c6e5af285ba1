using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Protocol;
using TaskFlow.Core.Activities;
using TaskFlow.Core.Model;
using TaskFlow.Engine.Activities;
using TaskFlow.Routing;
using TaskFlow.Workspaces.Mcp;

namespace TaskFlow.Workspaces.Tests.Mcp;

/// <summary>
/// What the tests of MCP servers confined to a workspace share: a host folder with a secret in it
/// (what a confined server must not reach), a workspace manager over one provider, and the calls a
/// router or an <c>mcp.call</c> node makes.
/// </summary>
public abstract class ConfinedServerTestBase(string folderPrefix, IsolationMode isolation) : IAsyncLifetime
{
    private readonly string _base = Directory.CreateTempSubdirectory(folderPrefix).FullName;

    protected WorkspaceManager Manager { get; private set; } = null!;

    protected string Root => Path.Combine(_base, "workspaces");

    protected string HostFolder => Path.Combine(_base, "host");

    /// <summary>The one provider of the manager.</summary>
    protected abstract IWorkspaceProvider Provider { get; }

    public Task InitializeAsync()
    {
        // The workspace user must be able to walk down to the workspace folders.
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("Confined MCP servers are tested on Linux (bubblewrap, cgroups, the Docker engine).");
        }

        File.SetUnixFileMode(_base, (UnixFileMode)0b111_101_101);
        Directory.CreateDirectory(HostFolder);
        File.WriteAllText(Path.Combine(HostFolder, "secret.txt"), "host secret");
        Manager = new WorkspaceManager(
            Options.Create(new WorkspaceOptions { DefaultIsolation = isolation, WarmPoolSize = 0 }),
            new WorkspaceRoot(Root),
            [Provider],
            NullLogger<WorkspaceManager>.Instance,
            TimeProvider.System);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await Manager.DisposeAsync();
        foreach (var id in await Provider.ListOwnedAsync(CancellationToken.None))
        {
            await Provider.DestroyAsync(id, CancellationToken.None);
        }

        (Provider as IDisposable)?.Dispose();
        Directory.Delete(_base, recursive: true);
    }

    /// <summary>A router over <paramref name="options"/> whose confined servers run in this test's workspaces.</summary>
    protected McpRouter Router(McpRoutingOptions options) =>
        new(Options.Create(options), new RoutingMetrics(), NullLoggerFactory.Instance, TimeProvider.System, sandbox: new WorkspaceUpstreamSandbox(Manager));

    /// <summary>An <c>mcp.call</c> node with <paramref name="policy"/> that writes to <paramref name="path"/> with server <c>fs</c>.</summary>
    protected static async Task<ActivityResult> RunNodeAsync(McpCallActivity activity, WorkspacePolicy policy, string path) =>
        await activity.ExecuteAsync(new ActivityContext
        {
            InstanceId = "instance-" + Guid.NewGuid().ToString("N")[..8],
            NodeId = "write",
            Attempt = 1,
            Inputs = new JsonObject { ["tool"] = "write_file", ["server"] = "fs", ["arguments"] = new JsonObject { ["path"] = path, ["content"] = "from a node" } },
            Workspace = policy,
            Services = Microsoft.Extensions.DependencyInjection.ServiceCollectionContainerBuilderExtensions.BuildServiceProvider(new Microsoft.Extensions.DependencyInjection.ServiceCollection()),
            Time = TimeProvider.System,
        });

    protected static async Task<CallToolResult> CallAsync(McpRouter router, string server, string tool, JsonObject arguments) =>
        (await router.CallToolAsync(new McpToolCall(tool, arguments, Server: server))).Result;

    protected static string Text(CallToolResult result) =>
        string.Join("\n", result.Content.OfType<TextContentBlock>().Select(c => c.Text));
}
