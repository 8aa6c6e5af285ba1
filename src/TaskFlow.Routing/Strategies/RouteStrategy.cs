using TaskFlow.Routing.Upstreams;

namespace TaskFlow.Routing.Strategies;

/// <summary>
/// How one route (a rule, or the servers that list a tool outside the rules) orders its servers
/// for a call. The router then skips servers that do not list the tool or whose breaker is open.
/// </summary>
internal abstract class RouteStrategy(IReadOnlyList<UpstreamServer> servers)
{
    public IReadOnlyList<UpstreamServer> Servers { get; } = servers;

    /// <summary>Whether a call that failed on one server may go on to the next.</summary>
    public abstract bool FailsOver { get; }

    /// <summary>The servers in the order to try them for one call.</summary>
    public abstract IReadOnlyList<UpstreamServer> Order();

    /// <summary>The strategy of a kind over <paramref name="servers"/> (for one-server kinds, the first of them).</summary>
    public static RouteStrategy Create(RoutingStrategy kind, IReadOnlyList<UpstreamServer> servers) => kind switch
    {
        RoutingStrategy.Failover => new FailoverStrategy(servers),
        RoutingStrategy.WeightedRoundRobin => new WeightedRoundRobinStrategy(servers),
        _ => new DedicatedStrategy(servers[0]),
    };
}
