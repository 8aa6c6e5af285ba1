using TaskFlow.Routing.Tests.Failures;
using TaskFlow.Testing;

namespace TaskFlow.Routing.Tests.Router;

/// <summary>Configuration the router refuses at start, with every problem named.</summary>
public sealed class RuleCheckTests : RouterFailureTest
{
    [Fact]
    public void Constructor_UnknownServerInARule_AndASeparatorThatCannotFormNames_AreBothListed()
    {
        var error = Assert.Throws<RoutingConfigurationException>(() => Fixture.Create(
            new() { ["everything"] = RouterFixture.Stdio(McpTestServers.Everything()) },
            """
            routing_priorities:
              - pattern: "memory.*"
                servers: ["memory-bank", "everything"]
                strategy: "failover"
            """,
            o => o.Gateway.Separator = "::"));

        Assert.Equal(2, error.Problems.Count);
        Assert.Contains(error.Problems, p => p.StartsWith("TaskFlow:Mcp:Gateway:Separator: '::' cannot form tool names clients accept", StringComparison.Ordinal));
        Assert.Contains("routing_priorities[0] ('memory.*'): server 'memory-bank' is not configured under TaskFlow:Mcp:Servers", error.Problems);
    }

    [Fact]
    public void Constructor_MoreServersThanConnections_IsRefusedWithTheNumberNeeded()
    {
        var servers = Enumerable.Range(1, 3).ToDictionary(i => $"s{i}", _ => RouterFixture.Stdio(McpTestServers.Everything()));

        var error = Assert.Throws<RoutingConfigurationException>(() => Fixture.Create(servers, null, o => o.MaxTotalConnections = 2));

        Assert.Equal(["TaskFlow:Mcp:MaxTotalConnections: 2 connections cannot reach 3 servers (each needs at least one); raise it to 3 or more"], error.Problems);
    }

    [Fact]
    public async Task Start_RuleWhoseServersShareNoTool_IsRefusedNamingIt()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var root = Directory.CreateTempSubdirectory("taskflow-rules-").FullName;
        try
        {
            var router = Fixture.Create(
                new()
                {
                    ["everything"] = RouterFixture.Stdio(McpTestServers.Everything()),
                    ["memory"] = RouterFixture.Stdio(McpTestServers.Memory(Path.Combine(root, "graph.jsonl"))),
                },
                """
                routing_priorities:
                  - pattern: "echo"
                    servers: ["everything"]
                    strategy: "dedicated"
                  - pattern: "tools.*"
                    servers: ["everything", "memory"]
                    strategy: "failover"
                """);

            // The router's host runs the check before anything is served: the start fails.
            var error = await Assert.ThrowsAsync<RoutingConfigurationException>(() => new Hosting.McpRouterHost(router, TimeProvider.System).StartAsync(guard.Token));

            var problem = Assert.Single(error.Problems);
            Assert.StartsWith("routing_priorities[1] ('tools.*'): its servers 'everything' (", problem, StringComparison.Ordinal);
            Assert.Contains("share no tool", problem, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task CheckRulesAsync_ToolNamesMapping_MakesTheServersShareATool()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var root = Directory.CreateTempSubdirectory("taskflow-rules-").FullName;
        try
        {
            var memory = RouterFixture.Stdio(McpTestServers.Memory(Path.Combine(root, "graph.jsonl")));
            memory.ToolNames["echo"] = "read_graph";
            var router = Fixture.Create(
                new() { ["everything"] = RouterFixture.Stdio(McpTestServers.Everything()), ["memory"] = memory },
                """
                routing_priorities:
                  - pattern: "tools.*"
                    servers: ["memory", "everything"]
                    strategy: "failover"
                """);

            await router.CheckRulesAsync(guard.Token);

            // Through the mapping, memory (first in the rule) answers the rule's tools.echo with its
            // read_graph; a tool only everything lists goes to everything.
            var mapped = await router.CallToolAsync(new McpToolCall("tools.echo"), guard.Token);
            var onlyEverything = await router.CallToolAsync(new McpToolCall("tools.get-sum", new System.Text.Json.Nodes.JsonObject { ["a"] = 2, ["b"] = 3 }), guard.Token);
            Assert.Equal(("memory", "read_graph"), (mapped.Server, mapped.Tool));
            Assert.Equal(("everything", "get-sum"), (onlyEverything.Server, onlyEverything.Tool));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
