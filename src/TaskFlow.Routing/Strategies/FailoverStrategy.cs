using TaskFlow.Routing.Upstreams;

namespace TaskFlow.Routing.Strategies;

/// <summary><c>failover</c>: the servers in order; the next one when a call fails or a breaker is open.</summary>
internal sealed class FailoverStrategy(IReadOnlyList<UpstreamServer> servers) : RouteStrategy(servers)
{
    public override bool FailsOver => true;

    public override IReadOnlyList<UpstreamServer> Order() => Servers;
}
