using TaskFlow.Server.Mcp.LoadTest;
using System.Diagnostics;
using TaskFlow.Routing;

namespace TaskFlow.Bench.Fleet;

/// <summary>
/// Keeps <c>inFlight</c> calls in flight to each server with a probe, through the router, for a
/// fixed time. Each server has its own callers, so a slow server (desktop-commander's get_config
/// takes seconds under load) does not hold up the calls to the others. The router's defaults stay
/// on: at the report's 100 messages/s per server the rate limiter, not the server, may set the pace.
/// </summary>
internal static class ThroughputRun
{
    public static async Task<ThroughputFigures> RunAsync(McpRouter router, IReadOnlyList<FleetServer> fleet, int inFlight, TimeSpan duration, CancellationToken cancellationToken)
    {
        var probed = fleet.Where(s => s.ProbeTool is not null).ToArray();
        var tallies = probed.Select(s => new CallTally(s.Name)).ToArray();
        var started = Stopwatch.GetTimestamp();
        var stopAt = started + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        await Task.WhenAll(probed.SelectMany((server, index) => Enumerable.Range(0, inFlight).Select(_ => Task.Run(async () =>
        {
            var call = ProbeCall.For(server);
            while (Stopwatch.GetTimestamp() < stopAt && !cancellationToken.IsCancellationRequested)
            {
                var callStarted = Stopwatch.GetTimestamp();
                var error = await ProbeCall.TryAsync(router, call, cancellationToken);
                tallies[index].Record(Stopwatch.GetElapsedTime(callStarted), error);
            }
        }, cancellationToken))));

        var elapsed = Stopwatch.GetElapsedTime(started);
        var all = new Latencies();
        foreach (var tally in tallies)
        {
            all.AddRange(tally.Latencies);
        }

        return new ThroughputFigures(fleet.Count, inFlight, elapsed, tallies.Sum(c => c.Calls), tallies.Sum(c => c.Errors), all, tallies);
    }
}
