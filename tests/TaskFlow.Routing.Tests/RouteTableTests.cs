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

    private static readonly RouteTable Table = new(Rules, Servers, new Dictionary<string, IReadOnlyList<string>>
    {
        ["read_file"] = ["filesystem"],
        ["memory.unlisted"] = ["everything"],
        ["echo"] = ["everything", "filesystem"],
    });

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
    // Several servers list a tool outside the rules: all of them, best first, under load_balancing.algorithm.
    [InlineData("echo", "everything,filesystem", RoutingStrategy.WeightedRoundRobin, null)]
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

    [Fact]
    public void Decide_RandomRulesAndTools_PicksTheFirstMatchingRuleInPriorityOrder()
    {
        // The table indexes rules by the first segment their pattern fixes; whatever the mix, the
        // decision must be the one a plain scan of the rules in order gives.
        string[] segments = ["memory", "mem", "task", "m", "task-decomposition", ""];
        string[] rests = ["", "store", "st", "store.deep", "x.y"];
        var random = new Random(20261124);
        for (var round = 0; round < 300; round++)
        {
            var rules = Enumerable.Range(0, random.Next(0, 40)).Select(i =>
            {
                var segment = segments[random.Next(segments.Length)];
                var rest = rests[random.Next(rests.Length)];
                var text = random.Next(6) switch
                {
                    0 => "*",
                    1 => segment + "*",
                    2 => $"{segment}.{rest}",
                    3 => $"{segment}.{rest}*",
                    4 => $"{segment}.*",
                    _ => rest.Length == 0 ? "*" : rest,
                };
                return new RoutingRule(ToolPattern.TryParse(text, out var error) ?? throw new InvalidOperationException(error), [$"s{i}"], RoutingStrategy.Dedicated);
            }).ToList();
            var table = new RouteTable(RoutingRules.Default with { Rules = rules }, [], new Dictionary<string, IReadOnlyList<string>>());

            for (var t = 0; t < 50; t++)
            {
                var tool = random.Next(4) == 0
                    ? rests[random.Next(rests.Length)]
                    : $"{segments[random.Next(segments.Length)]}.{rests[random.Next(rests.Length)]}";
                var expected = rules.FirstOrDefault(r => r.Pattern.Matches(tool));

                Assert.True(ReferenceEquals(expected, table.Decide(tool)?.Rule), $"round {round}, tool '{tool}': expected {expected?.Pattern.Text ?? "no rule"}, got {table.Decide(tool)?.Rule?.Pattern.Text ?? "no rule"}; rules {string.Join(" ", rules.Select(r => r.Pattern.Text))}");
            }
        }
    }
}
