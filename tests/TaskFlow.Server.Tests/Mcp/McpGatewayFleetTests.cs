using System.Diagnostics;
using System.Text.RegularExpressions;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using TaskFlow.Server.Tests.Infrastructure;
using TaskFlow.Testing;

namespace TaskFlow.Server.Tests.Mcp;

/// <summary>
/// The gateway in front of real servers from npm as clients use it: several clients at once share
/// one copy of the fleet, every name fits Claude's rule, and a client closing the stdio gateway
/// the standard way leaves no process behind.
/// </summary>
public sealed partial class McpGatewayFleetTests
{
    private const string MarkerVariable = "TASKFLOW_TEST_MARKER";
    private const string ServerVariable = "TASKFLOW_TEST_SERVER";

    /// <summary>
    /// Two clients on the initialize handshake (2025-11-25: each has a session) and a stateless
    /// one (2026-07-28) call every server of a fleet whose protocols keep state per session
    /// (2024-11-05 and 2025-11-25): one process per server serves them all.
    /// </summary>
    [Fact]
    public async Task Http_ThreeClients_ShareOneProcessPerServer_AndEveryNameFitsClaudesRule()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var root = Directory.CreateTempSubdirectory("taskflow-fleet-").FullName;
        var marker = "taskflow-fleet-" + Guid.NewGuid().ToString("N")[..12];
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "bank", "project-a"));
            await File.WriteAllTextAsync(Path.Combine(root, "bank", "project-a", "notes.md"), "shared");
            var settings = new Dictionary<string, string?>();
            Add(settings, marker, "memory", McpTestServers.Memory(Path.Combine(root, "graph.jsonl")));
            Add(settings, marker, "memory-bank", McpTestServers.MemoryBank(Path.Combine(root, "bank")));
            Add(settings, marker, "commands", McpTestServers.Commands());
            await using var app = await TaskFlowApp.StartAsync(TaskFlowApp.Sqlite, settings);

            await using var a = await ConnectAsync(app, "2025-11-25", guard.Token);
            await using var b = await ConnectAsync(app, "2025-11-25", guard.Token);
            await using var stateless = await ConnectAsync(app, null, guard.Token);
            Assert.NotNull(a.SessionId);
            Assert.NotNull(b.SessionId);

            foreach (var client in new[] { a, b, stateless })
            {
                var names = (await client.ListToolsAsync(cancellationToken: guard.Token)).Select(t => t.Name).ToList();
                Assert.All(names, n => Assert.Matches(Portable(), n));
                Assert.Contains("memory__read_graph", names);
                Assert.Contains("memory-bank__list_projects", names);
                Assert.Contains("commands__run_command", names);

                Assert.NotEqual(true, (await client.CallToolAsync("memory__read_graph", cancellationToken: guard.Token)).IsError);
                Assert.Contains("project-a", Text(await client.CallToolAsync("memory-bank__list_projects", cancellationToken: guard.Token)), StringComparison.Ordinal);
                Assert.Contains("fleet", Text(await client.CallToolAsync("commands__run_command", new Dictionary<string, object?> { ["command"] = "echo fleet" }, cancellationToken: guard.Token)), StringComparison.Ordinal);
            }

            foreach (var server in new[] { "memory", "memory-bank", "commands" })
            {
                Assert.Single(ProcessIds(marker, server));
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>
    /// A standard stdio client's close: stdin closed, then (after a grace period of 2 s) SIGTERM.
    /// The fleet holds a server that ignores both its stdin closing and SIGTERM and runs a second
    /// process (Fixtures/stubborn-server.js, as agentdb and launchers through npx do), and the real
    /// everything server. The gateway exits on its own, with no process of the fleet left, and
    /// without a signal.
    /// </summary>
    [Fact]
    public async Task Stdio_ClientClosesStdin_GatewayExitsOnItsOwn_LeavingNoServerProcess()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var marker = "taskflow-shutdown-" + Guid.NewGuid().ToString("N")[..12];
        var folder = Path.Combine(AppContext.BaseDirectory, "Fixtures");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "taskflow.dll"));
        start.ArgumentList.Add("mcp");
        start.ArgumentList.Add("gateway");
        AddEnvironment(start, marker, "stubborn", new StdioLaunch("node", [Path.Combine(folder, "stubborn-server.js")], new Dictionary<string, string>(), folder));
        AddEnvironment(start, marker, "everything", McpTestServers.Everything());

        using var gateway = Process.Start(start)!;
        gateway.ErrorDataReceived += (_, _) => { };
        gateway.BeginErrorReadLine();
        try
        {
            var client = await McpClient.CreateAsync(
                new StreamClientTransport(gateway.StandardInput.BaseStream, gateway.StandardOutput.BaseStream),
                new McpClientOptions { DiscoverProbeTimeout = TimeSpan.FromSeconds(60) },
                cancellationToken: guard.Token);
            // A server slow to start on a loaded machine is listed once it has answered.
            var tools = await client.ListToolsAsync(cancellationToken: guard.Token);
            while (!tools.Any(t => t.Name == "everything__echo"))
            {
                await Task.Delay(200, guard.Token);
                tools = await client.ListToolsAsync(cancellationToken: guard.Token);
            }

            var child = Text(await client.CallToolAsync("stubborn__child_pid", cancellationToken: guard.Token));
            Assert.True(int.TryParse(child, out var childPid), child);
            Assert.Contains(childPid, ProcessIds(marker, "stubborn"));
            Assert.Equal(2, ProcessIds(marker, "stubborn").Count);
            Assert.NotEmpty(ProcessIds(marker, "everything"));

            // The client's close: stdin ends; the client waits its grace period for the exit. The
            // gateway needs about 1 s of it (the stubborn server's stdin and SIGTERM graces, 0.5 s
            // each, then SIGKILL). What is checked is that no signal is needed, so the wait is
            // longer than a client's 2 s: a loaded test machine is slower than a user's.
            gateway.StandardInput.Close();
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var exitedOnItsOwn = true;
            try
            {
                await gateway.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                exitedOnItsOwn = false;
            }

            Assert.True(exitedOnItsOwn, "the gateway was still running 10 s after its stdin closed; a client would have signalled it");
            Assert.Empty(ProcessIds(marker, null));
        }
        finally
        {
            if (!gateway.HasExited)
            {
                gateway.Kill(entireProcessTree: true);
            }

            foreach (var id in ProcessIds(marker, null))
            {
                try
                {
                    Process.GetProcessById(id).Kill();
                }
                catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
                {
                    // Gone.
                }
            }
        }
    }

    private static void Add(Dictionary<string, string?> settings, string marker, string name, StdioLaunch launch)
    {
        McpTestServers.Configure(settings, name, launch);
        settings[$"TaskFlow:Mcp:Servers:{name}:Environment:{MarkerVariable}"] = marker;
        settings[$"TaskFlow:Mcp:Servers:{name}:Environment:{ServerVariable}"] = name;
    }

    private static void AddEnvironment(ProcessStartInfo start, string marker, string name, StdioLaunch launch)
    {
        var prefix = $"TaskFlow__Mcp__Servers__{name}__";
        start.Environment[prefix + "Command"] = launch.Command;
        start.Environment[prefix + "WorkingDirectory"] = launch.WorkingDirectory;
        for (var i = 0; i < launch.Arguments.Count; i++)
        {
            start.Environment[$"{prefix}Arguments__{i}"] = launch.Arguments[i];
        }

        foreach (var (key, value) in launch.Environment)
        {
            start.Environment[$"{prefix}Environment__{key}"] = value;
        }

        start.Environment[$"{prefix}Environment__{MarkerVariable}"] = marker;
        start.Environment[$"{prefix}Environment__{ServerVariable}"] = name;
    }

    /// <summary>Running processes started with this marker (and server name) in their environment.</summary>
    private static List<int> ProcessIds(string marker, string? server) =>
        server is null ? MarkedProcesses.Find($"{MarkerVariable}={marker}") : MarkedProcesses.Find($"{MarkerVariable}={marker}", $"{ServerVariable}={server}");

    private static Task<McpClient> ConnectAsync(TaskFlowApp app, string? protocolVersion, CancellationToken cancellationToken) =>
        McpGatewayTests.ConnectAsync(app, protocolVersion, cancellationToken);

    private static string Text(CallToolResult result) => McpGatewayTests.Text(result);

    [GeneratedRegex("^[a-zA-Z0-9_-]{1,64}$")]
    private static partial Regex Portable();
}
