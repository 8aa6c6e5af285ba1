using TaskFlow.Routing.Upstreams;

namespace TaskFlow.Routing.Strategies;

/// <summary>
/// A staged rollout on top of a rule's strategy: exactly <see cref="PercentageSplit.Percent"/> of
/// the calls go to the new server first (the rule's servers follow as fallbacks where the rule
/// fails over); the rest never go to it.
/// </summary>
internal sealed class StagedRolloutStrategy(RouteStrategy inner, UpstreamServer target, double percent) : RouteStrategy(inner.Servers)
{
    public PercentageSplit Split { get; } = new(percent);

    public override bool FailsOver => inner.FailsOver;

    public override IReadOnlyList<UpstreamServer> Order()
    {
        var order = inner.Order();
        if (Split.Next())
        {
            return inner.FailsOver ? [target, .. order.Where(s => !ReferenceEquals(s, target))] : [target];
        }

        return [.. order.Where(s => !ReferenceEquals(s, target))];
    }
}
