using System.Diagnostics;
using TaskFlow.Routing;

namespace TaskFlow.Bench.Fleet;

/// <summary>
/// Keeps <c>workers</c> calls in flight through the router for a fixed time, each worker taking
/// the next server's probe in turn, so every server with a probe gets the same share.
/// </summary>
internal static class ThroughputRun
{
    public static async Task<ThroughputFigures> RunAsync(McpRouter router, IReadOnlyList<FleetServer> fleet, int workers, TimeSpan duration, CancellationToken cancellationToken)
    {
        var probed = fleet.Where(s => s.ProbeTool is not null).ToArray();
        var calls = probed.Select(ProbeCall.For).ToArray();
        var perServer = probed.Select(s => new CallTally(s.Name)).ToArray();
        long next = -1;
        var started = Stopwatch.GetTimestamp();
        var stopAt = started + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var series = await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
        {
            var latencies = new Latencies();
            while (Stopwatch.GetTimestamp() < stopAt && !cancellationToken.IsCancellationRequested)
            {
                var index = (int)(Interlocked.Increment(ref next) % calls.Length);
                var callStarted = Stopwatch.GetTimestamp();
                var error = await ProbeCall.TryAsync(router, calls[index], cancellationToken);
                var latency = Stopwatch.GetElapsedTime(callStarted);
                latencies.Add(latency);
                perServer[index].Record(latency, error);
            }

            return latencies;
        }, cancellationToken)));

        var elapsed = Stopwatch.GetElapsedTime(started);
        var all = new Latencies();
        foreach (var s in series)
        {
            all.AddRange(s);
        }

        return new ThroughputFigures(fleet.Count, workers, elapsed, perServer.Sum(c => c.Calls), perServer.Sum(c => c.Errors), all, perServer);
    }
}
