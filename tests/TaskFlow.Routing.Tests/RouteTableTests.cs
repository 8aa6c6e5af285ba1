namespace TaskFlow.Routing.Tests;

public sealed class RouteTableTests
{
    private static readonly RoutingRules Rules = RoutingRulesYaml.Parse("""
        routing_priorities:
          - pattern: "memory.search"
            servers: ["search-only"]
            strategy: "dedicated"
          - pattern: "memory.*"
            servers: ["memory-bank-mcp", "extended_memory_mcp"]
            strategy: "failover"
          - pattern: "task.*"
            servers: ["task-decomposition-mcp"]
            strategy: "dedicated"
        """);

    private static readonly string[] Servers = ["memory-bank-mcp", "extended_memory_mcp", "task-decomposition-mcp", "search-only", "filesystem", "everything"];

    private static readonly RouteTable Table = new(Rules, Servers, new Dictionary<string, string> { ["read_file"] = "filesystem", ["memory.unlisted"] = "everything" });

    [Theory]
    // Rules in priority order: the exact rule listed first wins over the prefix below it.
    [InlineData("memory.search", "search-only", RoutingStrategy.Dedicated, "memory.search")]
    [InlineData("memory.store", "memory-bank-mcp,extended_memory_mcp", RoutingStrategy.Failover, "memory.*")]
    // A rule beats discovery, even for a tool that another server lists.
    [InlineData("memory.unlisted", "memory-bank-mcp,extended_memory_mcp", RoutingStrategy.Failover, "memory.*")]
    [InlineData("task.decompose", "task-decomposition-mcp", RoutingStrategy.Dedicated, "task.*")]
    // No rule: the discovered owner, then a "server.tool" name.
    [InlineData("read_file", "filesystem", RoutingStrategy.Dedicated, null)]
    [InlineData("everything.echo", "everything", RoutingStrategy.Dedicated, null)]
    public void Decide_RulesFirstThenOwner(string tool, string servers, RoutingStrategy strategy, string? rule)
    {
        var decision = Table.Decide(tool);

        Assert.NotNull(decision);
        Assert.Equal((servers, strategy, rule), (string.Join(",", decision.Servers), decision.Strategy, decision.Rule?.Pattern.Text));
    }

    [Theory]
    [InlineData("unknown")]
    [InlineData("nosuchserver.echo")]
    [InlineData(".echo")]
    [InlineData("memor")]
    public void Decide_NoRuleNoOwner_IsNull(string tool) => Assert.Null(Table.Decide(tool));

    [Fact]
    public void Decide_SameTool_ReturnsTheSameDecisionWithoutAllocating()
    {
        Assert.Same(Table.Decide("memory.store"), Table.Decide("memory.other"));
        Assert.Same(Table.Decide("everything.echo"), Table.Decide("everything.add"));
    }
}
