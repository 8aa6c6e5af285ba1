using TaskFlow.Routing.Bulkheads;
using TaskFlow.Routing.Upstreams;

namespace TaskFlow.Routing.Strategies;

/// <summary>
/// <c>isolated</c>: the one server, behind a bulkhead of its own. The rule's calls go to a pool of
/// connections (for stdio: processes) that serves this rule only, with its own breaker and its own
/// limit of calls in flight, so they can neither starve nor be starved by the server's other callers.
/// </summary>
/// <param name="server">The rule's own instance of the server (not the one other routes share).</param>
/// <param name="maxConcurrency">Calls of this rule in flight at once.</param>
internal sealed class IsolatedStrategy(UpstreamServer server, int maxConcurrency) : RouteStrategy([server])
{
    public override bool FailsOver => false;

    /// <summary>The rule's own limit of calls in flight, admitted by tier.</summary>
    public TierGate Bulkhead { get; } = new(maxConcurrency);

    public override IReadOnlyList<UpstreamServer> Order() => Servers;
}
