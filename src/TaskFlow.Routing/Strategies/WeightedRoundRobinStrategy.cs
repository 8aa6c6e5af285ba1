using TaskFlow.Routing.CircuitBreaking;
using TaskFlow.Routing.Upstreams;

namespace TaskFlow.Routing.Strategies;

/// <summary>
/// <c>weighted_round_robin</c>: each call starts at the next server by weight (smooth weighted round
/// robin, skipping servers whose breaker is open); the others follow in order as fallbacks, then
/// <paramref name="fallbacks"/> (for a tool outside the rules: the servers of lower tiers that list it).
/// </summary>
internal sealed class WeightedRoundRobinStrategy(IReadOnlyList<UpstreamServer> servers, IReadOnlyList<UpstreamServer>? fallbacks = null) : RouteStrategy([.. servers, .. fallbacks ?? []])
{
    private readonly WeightedRoundRobin<UpstreamServer> _rotation = new(servers.Select(s => (s, s.Options.Weight)));
    private readonly int _rotating = servers.Count;

    public override bool FailsOver => true;

    public override IReadOnlyList<UpstreamServer> Order()
    {
        if (_rotating < 2 || _rotation.Next(s => s.Breaker.State != CircuitState.Open) is not { } first)
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
