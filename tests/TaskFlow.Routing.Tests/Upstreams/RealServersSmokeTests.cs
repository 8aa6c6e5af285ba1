using System.Diagnostics;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using TaskFlow.Testing;
using Xunit.Abstractions;

namespace TaskFlow.Routing.Tests.Upstreams;

/// <summary>
/// The real MCP servers the router is tested against, reached with the official C# SDK client
/// alone: they start, list the tools the router will route to, answer a call, and end when the
/// client is disposed. If these fail, the router tests built on the same servers cannot pass.
/// </summary>
public sealed class RealServersSmokeTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Memory_CreateEntities_StoresEntityInDataFile()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        var folder = CreateFolder();
        try
        {
            var dataFile = Path.Combine(folder, "memory.jsonl");
            await using (var client = await ConnectAsync("memory", McpTestServers.Memory(dataFile), timeout.Token))
            {
                AssertCurrentProtocol(client);
                await AssertToolsAsync(client, ["create_entities", "read_graph", "search_nodes"], timeout.Token);

                var created = await client.CallToolAsync(
                    "create_entities",
                    new Dictionary<string, object?>
                    {
                        ["entities"] = new[]
                        {
                            new { name = "TaskFlow", entityType = "project", observations = new[] { "routes MCP tool calls" } },
                        },
                    },
                    cancellationToken: timeout.Token);
                Assert.NotEqual(true, created.IsError);

                var found = await client.CallToolAsync("search_nodes", new Dictionary<string, object?> { ["query"] = "TaskFlow" }, cancellationToken: timeout.Token);
                Assert.NotEqual(true, found.IsError);
                Assert.Contains("routes MCP tool calls", Text(found));
            }

            Assert.Contains("routes MCP tool calls", await File.ReadAllTextAsync(dataFile, timeout.Token));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Filesystem_ReadFile_ReturnsFileUnderRoot()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        var root = CreateFolder();
        try
        {
            var file = Path.Combine(root, "notes.txt");
            await File.WriteAllTextAsync(file, "written by the smoke test\nsecond line", timeout.Token);

            await using var client = await ConnectAsync("filesystem", McpTestServers.Filesystem(root), timeout.Token);
            AssertCurrentProtocol(client);
            await AssertToolsAsync(client, ["read_file", "write_file", "list_directory"], timeout.Token);

            var read = await client.CallToolAsync("read_file", new Dictionary<string, object?> { ["path"] = file }, cancellationToken: timeout.Token);

            Assert.NotEqual(true, read.IsError);
            Assert.Equal("written by the smoke test\nsecond line", Text(read));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task EverythingStdio_Echo_ReturnsMessage()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        await using var client = await ConnectAsync("everything", McpTestServers.Everything(), timeout.Token);
        AssertCurrentProtocol(client);
        await AssertToolsAsync(client, ["echo"], timeout.Token);

        var echoed = await client.CallToolAsync("echo", new Dictionary<string, object?> { ["message"] = "hello over stdio" }, cancellationToken: timeout.Token);

        Assert.NotEqual(true, echoed.IsError);
        Assert.Equal("Echo: hello over stdio", Text(echoed));
    }

    [Fact]
    public async Task EverythingHttp_Echo_ReturnsMessageAndDisposeEndsServer()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        int serverProcess;
        await using (var server = await McpTestServers.StartEverythingHttpAsync(timeout.Token))
        {
            serverProcess = server.ProcessId;
            Assert.Equal("127.0.0.1", server.Endpoint.Host);

            var transport = new HttpClientTransport(new HttpClientTransportOptions
            {
                Name = "everything-http",
                Endpoint = server.Endpoint,
                TransportMode = HttpTransportMode.StreamableHttp,
                ConnectionTimeout = Timeout,
            });
            await using var client = await McpClient.CreateAsync(transport, cancellationToken: timeout.Token);
            Record("everything (Streamable HTTP)", client);
            AssertCurrentProtocol(client);
            await AssertToolsAsync(client, ["echo"], timeout.Token);

            var echoed = await client.CallToolAsync("echo", new Dictionary<string, object?> { ["message"] = "hello over HTTP" }, cancellationToken: timeout.Token);

            Assert.NotEqual(true, echoed.IsError);
            Assert.Equal("Echo: hello over HTTP", Text(echoed));
        }

        Assert.False(IsRunning(serverProcess), $"The everything HTTP server (pid {serverProcess}) still runs after its handle was disposed.");
    }

    [Fact]
    public async Task Commands_RunCommand_ReturnsOutputOverProtocol20241105()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        await using var client = await ConnectAsync("commands", McpTestServers.Commands(), timeout.Token);
        await AssertToolsAsync(client, ["run_command"], timeout.Token);

        var ran = await client.CallToolAsync("run_command", new Dictionary<string, object?> { ["command"] = "echo taskflow-smoke" }, cancellationToken: timeout.Token);

        // The oldest revision the router supports: the server's SDK (1.9.0) knows no later one.
        Assert.Equal("2024-11-05", client.NegotiatedProtocolVersion);
        Assert.NotEqual(true, ran.IsError);
        Assert.Contains("taskflow-smoke", Text(ran));
    }

    private async Task<McpClient> ConnectAsync(string name, StdioLaunch launch, CancellationToken cancellationToken)
    {
        var transport = new StdioClientTransport(new StdioClientTransportOptions
        {
            Name = name,
            Command = launch.Command,
            Arguments = [.. launch.Arguments],
            EnvironmentVariables = launch.Environment.ToDictionary(e => e.Key, e => (string?)e.Value),
            WorkingDirectory = launch.WorkingDirectory,
        });
        var client = await McpClient.CreateAsync(transport, cancellationToken: cancellationToken);
        Record(name, client);
        return client;
    }

    private void Record(string name, McpClient client) =>
        output.WriteLine($"{name}: {client.ServerInfo?.Name} {client.ServerInfo?.Version}, protocol {client.NegotiatedProtocolVersion}");

    // The servers built on the current TypeScript SDK negotiate a Streamable HTTP era revision
    // (2025-11-25 with the versions installed today). Only the lower bound is asserted: the SDK
    // is their own dependency, a range that npm resolves afresh on each clean install.
    private static void AssertCurrentProtocol(McpClient client) =>
        Assert.True(
            string.CompareOrdinal(client.NegotiatedProtocolVersion, "2025-03-26") >= 0,
            $"Expected protocol 2025-03-26 or later, negotiated '{client.NegotiatedProtocolVersion}'.");

    private async Task AssertToolsAsync(McpClient client, string[] expected, CancellationToken cancellationToken)
    {
        var tools = (await client.ListToolsAsync(cancellationToken: cancellationToken)).Select(t => t.Name).ToList();
        output.WriteLine("  tools: " + string.Join(", ", tools));
        foreach (var name in expected)
        {
            Assert.Contains(name, tools);
        }
    }

    private static string Text(CallToolResult result) =>
        string.Concat(result.Content.OfType<TextContentBlock>().Select(c => c.Text));

    private static string CreateFolder()
    {
        var folder = Path.Combine(Path.GetTempPath(), "taskflow-mcp-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(folder);
        return folder;
    }

    private static bool IsRunning(int processId)
    {
        try
        {
            using var process = Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
