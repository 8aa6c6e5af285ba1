using TaskFlow.Routing.Upstreams;

namespace TaskFlow.Routing.Strategies;

/// <summary><c>dedicated</c>: the one server, with no fallback.</summary>
internal sealed class DedicatedStrategy(UpstreamServer server) : RouteStrategy([server])
{
    public override bool FailsOver => false;

    public override IReadOnlyList<UpstreamServer> Order() => Servers;
}
