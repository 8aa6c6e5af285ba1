// Roots are deprecated as of MCP revision 2026-07-28 (SEP-2577); servers on earlier revisions still
// ask for them, and the gateway passes them on for the clients whose own sessions those are.
#pragma warning disable MCP9005

using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using TaskFlow.Server.Tests.Infrastructure;
using TaskFlow.Testing;

namespace TaskFlow.Server.Tests.Mcp;

/// <summary>
/// Roots through the gateway, with the filesystem server from npm, which takes its client's roots
/// as its allowed folders. With <c>Session: Pinned</c> each gateway client has a process of its
/// own, so that process asks that client for its roots (and again after the client says they
/// changed); a client without roots, and every shared process, keep the folders the server was
/// started with.
/// </summary>
public sealed class McpGatewayRootsTests : IDisposable
{
    private readonly string _base = Directory.CreateTempSubdirectory("taskflow-roots-").FullName;

    public void Dispose() => Directory.Delete(_base, recursive: true);

    [Fact]
    public async Task PinnedServer_AsksItsOwnClientForRoots_AgainWhenTheyChange_AndAClientWithoutRootsKeepsTheConfiguredFolder()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var configured = Directory.CreateDirectory(Path.Combine(_base, "configured")).FullName;
        var first = Directory.CreateDirectory(Path.Combine(_base, "first-root")).FullName;
        var second = Directory.CreateDirectory(Path.Combine(_base, "second-root")).FullName;
        var settings = new Dictionary<string, string?>();
        McpTestServers.Configure(settings, "fs", McpTestServers.Filesystem(configured));
        settings["TaskFlow:Mcp:Servers:fs:Session"] = "Pinned";
        await using var app = await TaskFlowApp.StartAsync(TaskFlowApp.Sqlite, settings);

        var roots = new[] { first };
        await using var withRoots = await McpClient.CreateAsync(
            new HttpClientTransport(new HttpClientTransportOptions { Endpoint = new Uri(app.Client.BaseAddress!, "/mcp"), TransportMode = HttpTransportMode.StreamableHttp }, app.Client),
            new McpClientOptions
            {
                ProtocolVersion = "2025-11-25",
                Capabilities = new ClientCapabilities { Roots = new RootsCapability { ListChanged = true } },
                Handlers = new McpClientHandlers
                {
                    RootsHandler = (_, _) => ValueTask.FromResult(new ListRootsResult { Roots = [.. Volatile.Read(ref roots).Select(r => new Root { Uri = new Uri(r).AbsoluteUri, Name = Path.GetFileName(r) })] }),
                },
            },
            cancellationToken: guard.Token);
        await using var without = await McpGatewayTests.ConnectAsync(app, "2025-11-25", guard.Token);

        // The server asks for roots once its session has started, so the first answers may still be the configured folder.
        await WaitForAllowedAsync(withRoots, first, guard.Token);
        Assert.Contains(configured, await AllowedAsync(without, guard.Token), StringComparison.Ordinal);
        Assert.DoesNotContain(first, await AllowedAsync(without, guard.Token), StringComparison.Ordinal);

        // The client's roots change: it says so, and its server asks again.
        Volatile.Write(ref roots, [second]);
        await withRoots.SendNotificationAsync(NotificationMethods.RootsListChangedNotification, cancellationToken: guard.Token);
        await WaitForAllowedAsync(withRoots, second, guard.Token);
        Assert.DoesNotContain(first, await AllowedAsync(withRoots, guard.Token), StringComparison.Ordinal);
        Assert.DoesNotContain(second, await AllowedAsync(without, guard.Token), StringComparison.Ordinal);
    }

    private static async Task<string> AllowedAsync(McpClient client, CancellationToken cancellationToken) =>
        McpGatewayTests.Text(await client.CallToolAsync("fs__list_allowed_directories", cancellationToken: cancellationToken));

    private static async Task WaitForAllowedAsync(McpClient client, string folder, CancellationToken cancellationToken)
    {
        string allowed;
        while (!(allowed = await AllowedAsync(client, cancellationToken)).Contains(folder, StringComparison.Ordinal))
        {
            await Task.Delay(100, cancellationToken);
        }

        Assert.Contains(folder, allowed, StringComparison.Ordinal);
    }
}
