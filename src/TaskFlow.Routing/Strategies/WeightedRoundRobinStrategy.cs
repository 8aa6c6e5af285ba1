using TaskFlow.Routing.CircuitBreaking;
using TaskFlow.Routing.Upstreams;

namespace TaskFlow.Routing.Strategies;

/// <summary>
/// <c>weighted_round_robin</c>: each call starts at the next server by weight (smooth weighted round
/// robin, skipping servers whose breaker is open); the others follow in order as fallbacks.
/// </summary>
internal sealed class WeightedRoundRobinStrategy(IReadOnlyList<UpstreamServer> servers) : RouteStrategy(servers)
{
    private readonly WeightedRoundRobin<UpstreamServer> _rotation = new(servers.Select(s => (s, s.Options.Weight)));

    public override bool FailsOver => true;

    public override IReadOnlyList<UpstreamServer> Order()
    {
        if (Servers.Count < 2 || _rotation.Next(s => s.Breaker.State != CircuitState.Open) is not { } first)
        {
            return Servers;
        }

        var rotated = new UpstreamServer[Servers.Count];
        rotated[0] = first;
        var i = 1;
        foreach (var server in Servers)
        {
            if (!ReferenceEquals(server, first))
            {
                rotated[i++] = server;
            }
        }

        return rotated;
    }
}
