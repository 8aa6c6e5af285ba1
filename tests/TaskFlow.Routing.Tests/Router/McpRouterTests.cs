using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Protocol;
using TaskFlow.Routing.Bulkheads;
using TaskFlow.Routing.CircuitBreaking;
using TaskFlow.Routing.Strategies;
using TaskFlow.Routing.Upstreams;
using TaskFlow.Testing;

namespace TaskFlow.Routing.Tests.Router;

/// <summary>The router in front of real MCP servers from npm.</summary>
public sealed class McpRouterTests : IAsyncLifetime
{
    private readonly RouterFixture _fixture = new();
    private readonly string _root = Path.Combine(Path.GetTempPath(), "taskflow-router-" + Guid.NewGuid().ToString("N")[..12]);

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_root);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _fixture.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task Rule_Failover_SkipsAServerThatCannotStart_AndBreakerOpensAfterFiveFailures()
    {
        // A server that throws at start, as one does without the API key it needs: Node.js prints
        // the error, its stack and its own version, and exits with code 1.
        var broken = new UpstreamServerOptions { Command = "node", Arguments = ["-e", "throw new Error('SEARCH_API_KEY is not set')"] };
        using var logs = new CapturedLogs();
        using var loggers = new LoggerFactory([logs]);
        var router = _fixture.Create(
            new() { ["broken"] = broken, ["everything"] = RouterFixture.Stdio(McpTestServers.Everything()) },
            """
            routing_priorities:
              - pattern: "echo"
                servers: ["broken", "everything"]
                strategy: "failover"
            circuit_breakers:
              failure_threshold: 5
              timeout: 30s
              half_open_requests: 3
            """,
            o => o.ConnectTimeout = TimeSpan.FromSeconds(5),
            loggers: loggers);

        for (var i = 0; i < 6; i++)
        {
            var outcome = await router.CallToolAsync(new McpToolCall("echo", new JsonObject { ["message"] = $"call {i}" }));
            Assert.Equal("everything", outcome.Server);
            Assert.Equal($"Echo: call {i}", Text(outcome.Result));
            Assert.Equal(2, outcome.Attempts);
        }

        var status = router.GetStatus().ToDictionary(s => s.Name);
        Assert.Equal(CircuitState.Open, status["broken"].Breaker);
        Assert.Equal(UpstreamState.Failing, status["broken"].State);
        Assert.Equal(CircuitState.Closed, status["everything"].Breaker);
        Assert.Equal(UpstreamState.Ready, status["everything"].State);

        // Why it failed, in the status and in one warning per failed start: the SDK only knows that
        // the server went away; its exit code and the error line on stderr say why. The SDK's own
        // error, a stack trace per try, is left at Debug.
        const string Reason = @"\S.* \(process \d+ exited with code 1; on stderr: Error: SEARCH_API_KEY is not set\)";
        Assert.Matches($"^could not be started: {Reason}$", status["broken"].LastError);
        Assert.Contains(logs.Lines, l => Regex.IsMatch(l, $@"^Warning TaskFlow\.Routing\.Upstream\.broken: MCP server broken failed to start \(\d+ in a row\); next start in \d+ ms: {Reason}"));
        Assert.Contains(logs.Lines, l => l.StartsWith("Debug ModelContextProtocol.Client.McpClient: ", StringComparison.Ordinal) && l.Contains("client initialization error", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Lines, l => l.StartsWith("Warning ModelContextProtocol", StringComparison.Ordinal) || l.StartsWith("Error ModelContextProtocol", StringComparison.Ordinal));
    }

    [Fact]
    public async Task NoRule_DiscoveredOwner_AndServerDotTool_BothRoute()
    {
        await File.WriteAllTextAsync(Path.Combine(_root, "note.txt"), "routed by owner");
        var router = _fixture.Create(new()
        {
            ["fs"] = RouterFixture.Stdio(McpTestServers.Filesystem(_root)),
            ["everything"] = RouterFixture.Stdio(McpTestServers.Everything(), tier: 4),
        });

        var byOwner = await router.CallToolAsync(new McpToolCall("read_text_file", new JsonObject { ["path"] = Path.Combine(_root, "note.txt") }));
        var byName = await router.CallToolAsync(new McpToolCall("everything.echo", new JsonObject { ["message"] = "named" }));

        Assert.Equal(("fs", "routed by owner"), (byOwner.Server, Text(byOwner.Result)));
        Assert.Equal(("everything", "Echo: named"), (byName.Server, Text(byName.Result)));
        var fs = router.GetStatus().Single(s => s.Name == "fs");
        Assert.Contains("read_text_file", fs.Tools!);
    }

    [Fact]
    public async Task ToolError_ComesBackAsIsError_AndDoesNotCountAgainstTheServer()
    {
        var router = _fixture.Create(new() { ["fs"] = RouterFixture.Stdio(McpTestServers.Filesystem(_root)) });

        var outcome = await router.CallToolAsync(new McpToolCall("fs.read_text_file", new JsonObject { ["path"] = "/etc/hostname" }));

        Assert.True(outcome.Result.IsError);
        Assert.Contains("outside allowed directories", Text(outcome.Result), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(0, router.GetStatus().Single().ConsecutiveFailures);
    }

    [Fact]
    public async Task UnknownTool_IsARoutingErrorNamingIt()
    {
        var router = _fixture.Create(new() { ["everything"] = RouterFixture.Stdio(McpTestServers.Everything()) });

        var error = await Assert.ThrowsAsync<McpRoutingException>(() => router.CallToolAsync(new McpToolCall("no_such_tool")));

        Assert.Equal("No MCP server offers tool 'no_such_tool', and no routing rule matches it.", error.Message);
    }

    [Fact]
    public async Task OldProtocolServer_IsCalledAndHealthChecked()
    {
        var router = _fixture.Create(new() { ["commands"] = RouterFixture.Stdio(McpTestServers.Commands()) });

        var tools = await router.ListToolsAsync();
        await router.CheckHealthAsync(includeIdle: true, CancellationToken.None);

        Assert.Contains(tools, t => t.Server == "commands" && t.Tool.Name == "run_command");
        var status = router.GetStatus().Single();
        Assert.Equal("2024-11-05", status.ProtocolVersion);
        Assert.Equal(UpstreamState.Ready, status.State);
        Assert.NotNull(status.LatencyMs);
    }

    [Fact]
    public async Task StreamableHttpServer_IsRoutedLikeAStdioOne()
    {
        await using var http = await McpTestServers.StartEverythingHttpAsync();
        var router = _fixture.Create(new() { ["remote"] = new UpstreamServerOptions { Transport = "http", Url = http.Endpoint.ToString() } });

        var outcome = await router.CallToolAsync(new McpToolCall("echo", new JsonObject { ["message"] = "over http" }));

        Assert.Equal(("remote", "Echo: over http"), (outcome.Server, Text(outcome.Result)));
    }

    /// <summary>
    /// The last update comes just before the result. The SDK handles each incoming message as a
    /// work item of its own, so without the router's ordering that update (and, on a busy
    /// machine, earlier ones) could be handled after the call had returned.
    /// </summary>
    [Theory]
    [InlineData("stdio")]
    [InlineData("http")]
    public async Task Progress_EveryUpdateReachesTheCaller_InOrder_BeforeTheResult(string transport)
    {
        await using var http = transport == "http" ? await McpTestServers.StartEverythingHttpAsync() : null;
        var server = http is null
            ? RouterFixture.Stdio(McpTestServers.Everything())
            : new UpstreamServerOptions { Transport = "http", Url = http.Endpoint.ToString() };
        var router = _fixture.Create(new() { ["everything"] = server });

        for (var round = 0; round < 3; round++)
        {
            var updates = new List<double>();
            var progress = new InlineProgress(value =>
            {
                lock (updates)
                {
                    updates.Add(value.Progress);
                }
            });

            var outcome = await router.CallToolAsync(new McpToolCall(
                "trigger-long-running-operation", new JsonObject { ["duration"] = 0.3, ["steps"] = 6 }, Progress: progress));

            Assert.NotEqual(true, outcome.Result.IsError);
            lock (updates)
            {
                Assert.Equal([1, 2, 3, 4, 5, 6], updates);
            }
        }
    }

    [Fact]
    public async Task Dispose_StopsEveryServerProcess()
    {
        var router = _fixture.Create(new()
        {
            ["a"] = RouterFixture.Stdio(McpTestServers.Everything()),
            ["b"] = RouterFixture.Stdio(McpTestServers.Memory(Path.Combine(_root, "memory.jsonl"))),
        });
        await router.ListToolsAsync();
        Assert.True(_fixture.RunningProcesses() >= 2, "the servers did not start");

        await router.DisposeAsync();

        for (var i = 0; i < 50 && _fixture.RunningProcesses() > 0; i++)
        {
            await Task.Delay(100);
        }

        Assert.Equal(0, _fixture.RunningProcesses());
    }

    [Fact]
    public async Task Configuration_Mistakes_AreAllNamedAtStart()
    {
        var error = Assert.Throws<RoutingConfigurationException>(() => _fixture.Create(
            new()
            {
                ["a.b"] = new UpstreamServerOptions { Command = "node" },
                ["web"] = new UpstreamServerOptions { Transport = "http", Url = "ftp://x" },
                ["nocmd"] = new UpstreamServerOptions(),
                ["pool"] = new UpstreamServerOptions { Command = "node", GrowAfter = TimeSpan.FromMilliseconds(-1), IdleTimeout = TimeSpan.Zero },
            },
            """
            routing_priorities:
              - pattern: "memory.*"
                servers: ["memory-bank-mcp"]
            """));

        Assert.Equal(
            [
                "TaskFlow:Mcp:Servers:a.b: the name may hold letters, digits, '-' and '_' only (a '.' separates server and tool in 'server.tool')",
                "TaskFlow:Mcp:Servers:web:Url: 'ftp://x' is not an http(s) URL; an http server needs its Streamable HTTP endpoint",
                "TaskFlow:Mcp:Servers:nocmd:Command: a stdio server needs the command that starts it",
                "TaskFlow:Mcp:Servers:pool:GrowAfter: -00:00:00.0010000 is negative; use 0 to open connections on the count of calls alone",
                "TaskFlow:Mcp:Servers:pool:IdleTimeout: 00:00:00 is not positive",
                "routing_priorities[0] ('memory.*'): server 'memory-bank-mcp' is not configured under TaskFlow:Mcp:Servers",
            ],
            error.Problems);
    }

    private sealed class InlineProgress(Action<ModelContextProtocol.ProgressNotificationValue> report) : IProgress<ModelContextProtocol.ProgressNotificationValue>
    {
        public void Report(ModelContextProtocol.ProgressNotificationValue value) => report(value);
    }

    private static string Text(CallToolResult result) => string.Join("\n", result.Content.OfType<TextContentBlock>().Select(t => t.Text));
}
