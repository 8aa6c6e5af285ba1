using TaskFlow.Routing.CircuitBreaking;
namespace TaskFlow.Routing.Tests;

public sealed class RoutingRulesYamlTests
{
    // The block exactly as the reference report writes it.
    private const string ReportRules = """
        mcp_routing_rules:
          load_balancing:
            algorithm: "weighted_round_robin"
            health_check_interval: 30s

          routing_priorities:
            - pattern: "memory.*"
              servers: ["memory-bank-mcp", "extended_memory_mcp"]
              strategy: "failover"

            - pattern: "task.*"
              servers: ["task-decomposition-mcp"]
              strategy: "dedicated"

            - pattern: "workspace.*"
              servers: ["workspace-isolation-mcp"]
              strategy: "isolated"

          circuit_breakers:
            failure_threshold: 5
            timeout: 30s
            half_open_requests: 3
        """;

    [Fact]
    public void Parse_TheReportsBlock_LoadsAsWritten()
    {
        var rules = RoutingRulesYaml.Parse(ReportRules);

        Assert.Equal(RoutingStrategy.WeightedRoundRobin, rules.LoadBalancing);
        Assert.Equal(TimeSpan.FromSeconds(30), rules.HealthCheckInterval);
        Assert.Equal(
            [("memory.*", "memory-bank-mcp,extended_memory_mcp", RoutingStrategy.Failover), ("task.*", "task-decomposition-mcp", RoutingStrategy.Dedicated), ("workspace.*", "workspace-isolation-mcp", RoutingStrategy.Isolated)],
            rules.Rules.Select(r => (r.Pattern.Text, string.Join(",", r.Servers), r.Strategy)).ToArray());
        Assert.Equal(new CircuitBreakerSettings(5, TimeSpan.FromSeconds(30), 3), rules.CircuitBreakers);
    }

    [Fact]
    public void Parse_WithoutTheWrapperOrOptionalBlocks_UsesTheReportsDefaults()
    {
        var rules = RoutingRulesYaml.Parse("""
            routing_priorities:
              - pattern: "fs.read_file"
                servers: [filesystem]
            """);

        var rule = Assert.Single(rules.Rules);
        Assert.Equal((RoutingStrategy.Failover, "fs.read_file"), (rule.Strategy, rule.Pattern.Text));
        Assert.Equal(CircuitBreakerSettings.Default, rules.CircuitBreakers);
        Assert.Equal(TimeSpan.FromSeconds(30), rules.HealthCheckInterval);
    }

    [Fact]
    public void Parse_EveryProblem_IsListedWithItsPath()
    {
        var error = Assert.Throws<RoutingConfigurationException>(() => RoutingRulesYaml.Parse("""
            mcp_routing_rules:
              load_balancing:
                algorithm: "random"
                health_check_interval: soon
              routing_priorities:
                - pattern: "mem*ory.*"
                  servers: ["a"]
                - pattern: "task.*"
                  servers: []
                - pattern: "ws.*"
                  servers: ["a", "b"]
                  strategy: "isolated"
              circuit_breakers:
                failure_threshold: -1
            """));

        Assert.Equal(
            [
                "load_balancing.algorithm: 'random' is not a strategy; use failover, dedicated, isolated, weighted_round_robin",
                "load_balancing.health_check_interval: 'soon' is not a positive duration such as 30s or 5m",
                "routing_priorities[0].pattern: 'mem*ory.*' has a '*' that is not at the end; write an exact tool name, a prefix such as 'memory.*', or '*'",
                "routing_priorities[1].servers: list at least one server",
                "routing_priorities[2]: strategy isolated uses one server, but 2 are listed; use failover or weighted_round_robin for several",
                "circuit_breakers.failure_threshold: '-1' is not a whole number above 0",
            ],
            error.Problems);
    }

    [Fact]
    public void Parse_IsolatedAsTheDefault_AndABulkheadOnASharedRule_AreRefused()
    {
        var error = Assert.Throws<RoutingConfigurationException>(() => RoutingRulesYaml.Parse("""
            load_balancing:
              algorithm: "isolated"
            routing_priorities:
              - pattern: "files.*"
                servers: ["a", "b"]
                strategy: "failover"
                max_concurrency: 4
            """));

        Assert.Equal(
            [
                "load_balancing.algorithm: 'isolated' gives one rule a bulkhead of its own and cannot be the default for every tool; use weighted_round_robin, failover or dedicated",
                "routing_priorities[0].max_concurrency: only an isolated rule has a bulkhead of its own; remove it or use strategy isolated",
            ],
            error.Problems);
    }

    [Fact]
    public void Parse_IsolatedRule_TakesItsOwnConcurrencyLimit()
    {
        var rules = RoutingRulesYaml.Parse("""
            routing_priorities:
              - pattern: "files.*"
                servers: ["a"]
                strategy: "isolated"
                max_concurrency: 4
            """);

        Assert.Equal((RoutingStrategy.Isolated, 4), (rules.Rules[0].Strategy, rules.Rules[0].MaxConcurrency));
    }

    [Theory]
    [InlineData("mcp_routing_rules: [", "does not parse at line ")]
    [InlineData("", "empty or not a mapping")]
    [InlineData("- a\n- b", "empty or not a mapping")]
    public void Parse_NotRoutingRules_SaysWhatIsWrong(string yaml, string expected)
    {
        var error = Assert.Throws<RoutingConfigurationException>(() => RoutingRulesYaml.Parse(yaml));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
