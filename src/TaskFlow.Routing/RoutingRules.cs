using TaskFlow.Routing.CircuitBreaking;

namespace TaskFlow.Routing;

/// <summary>How a rule spreads calls over its servers (the report's <c>strategy</c>).</summary>
public enum RoutingStrategy
{
    /// <summary>The servers in order: the next one when a call fails or a breaker is open.</summary>
    Failover,

    /// <summary>The one server, with no fallback.</summary>
    Dedicated,

    /// <summary>The one server, behind its own bulkhead, so it cannot starve the others.</summary>
    Isolated,

    /// <summary>The servers by weight, in turn.</summary>
    WeightedRoundRobin,
}

/// <summary>One entry of <c>routing_priorities</c>: tools matching <see cref="Pattern"/> go to <see cref="Servers"/>.</summary>
/// <param name="Rollout">A staged rollout: this share of the rule's calls goes to a new server first.</param>
/// <param name="MaxConcurrency">For <c>isolated</c>: the rule's calls in flight at once (its own bulkhead); null for the server's capacity.</param>
public sealed record RoutingRule(ToolPattern Pattern, IReadOnlyList<string> Servers, RoutingStrategy Strategy, StagedRollout? Rollout = null, int? MaxConcurrency = null);

/// <summary>Sends <see cref="Percent"/> of a rule's calls to <see cref="Server"/> (the report's 5%, then +10% a day).</summary>
public sealed record StagedRollout(string Server, double Percent);

/// <summary>The report's <c>mcp_routing_rules</c>: load balancing, rules in priority order, breaker settings.</summary>
public sealed record RoutingRules(
    RoutingStrategy LoadBalancing,
    TimeSpan HealthCheckInterval,
    IReadOnlyList<RoutingRule> Rules,
    CircuitBreakerSettings CircuitBreakers)
{
    public static RoutingRules Default { get; } = new(RoutingStrategy.WeightedRoundRobin, TimeSpan.FromSeconds(30), [], CircuitBreakerSettings.Default);
}
