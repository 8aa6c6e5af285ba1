using System.Diagnostics;
using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;
using TaskFlow.Routing;

namespace TaskFlow.Bench.Fleet;

/// <summary>
/// The report's load test (<c>load_test.sh --servers 21 --duration 3600 --tps 1000</c>) against
/// simulated servers on loopback, through the router: calls are started on a fixed schedule (open
/// loop), so a slow answer does not slow the offered load, and latency is counted from the moment a
/// call was due. Prints latency percentiles, errors and circuit breaker transitions per server.
/// </summary>
internal static class LoadTestRun
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(10);
    private const int MaxInFlight = 20_000;

    public static async Task<int> RunAsync(FleetOptions options, CancellationToken cancellationToken)
    {
        MachineInfo.Print();
        await using var simulated = await SimulatedFleet.StartAsync(options.Servers, 1, cancellationToken);
        await using var fleet = FleetRouter.Create(simulated.RouterEntries());
        Console.WriteLine($"loadtest: {options.Servers} servers (Streamable HTTP on {simulated.BaseAddress}), {options.Tps} calls/s offered for {options.Duration.TotalSeconds:0} s, router defaults (rate limit 100 messages/s per server, breaker per the router's options)");
        await fleet.Router.ListToolsAsync(cancellationToken);

        var servers = Enumerable.Range(1, options.Servers).Select(i => new ServerLoad(SimulatedHost.ServerName(i), SimulatedHost.ToolName(i, 0))).ToArray();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var watcher = WatchBreakersAsync(fleet.Router, servers, stop.Token);
        var inFlight = 0;
        long issued = 0, skipped = 0;
        var pending = new List<Task>();
        var started = Stopwatch.GetTimestamp();
        var total = (long)(options.Tps * options.Duration.TotalSeconds);
        using var timer = new PeriodicTimer(Tick);
        while (issued + skipped < total && await timer.WaitForNextTickAsync(cancellationToken))
        {
            var due = Math.Min(total, (long)(Stopwatch.GetElapsedTime(started).TotalSeconds * options.Tps));
            while (issued + skipped < due)
            {
                var n = issued + skipped;
                var server = servers[n % servers.Length];
                var dueAt = started + (long)(n * (double)Stopwatch.Frequency / options.Tps);
                if (Volatile.Read(ref inFlight) >= MaxInFlight)
                {
                    skipped++;
                    continue;
                }

                issued++;
                Interlocked.Increment(ref inFlight);
                pending.Add(CallAsync(fleet.Router, server, dueAt, () => Interlocked.Decrement(ref inFlight), cancellationToken));
            }

            pending.RemoveAll(t => t.IsCompleted);
        }

        await Task.WhenAll(pending);
        var elapsed = Stopwatch.GetElapsedTime(started);
        await stop.CancelAsync();
        await watcher;

        var all = new Latencies();
        Console.WriteLine($"{"server",-10} {"calls",8} {"errors",7} {"p50 ms",8} {"p90 ms",8} {"p99 ms",8} {"max ms",8}  breaker events");
        foreach (var s in servers)
        {
            all.AddRange(s.Latencies);
            Console.WriteLine($"{s.Name,-10} {s.Latencies.Count,8} {s.Errors,7} {s.Latencies.PercentileMs(50),8:0.00} {s.Latencies.PercentileMs(90),8:0.00} {s.Latencies.PercentileMs(99),8:0.00} {s.Latencies.MaxMs,8:0.0}  {(s.BreakerEvents.Count == 0 ? "none" : string.Join(", ", s.BreakerEvents))}{(s.FirstError is null ? "" : $"  first error: {s.FirstError}")}");
        }

        var errors = servers.Sum(s => s.Errors);
        Console.WriteLine($"total: {issued} calls in {elapsed.TotalSeconds:0.0} s ({issued / elapsed.TotalSeconds:N0}/s achieved of {options.Tps}/s offered; {skipped} not sent: {MaxInFlight} already in flight), {errors} errors ({(double)errors / Math.Max(1, issued):P3}), breaker events {servers.Sum(s => s.BreakerEvents.Count)}; latency from due time p50 {all.PercentileMs(50):0.00} ms, p90 {all.PercentileMs(90):0.00} ms, p99 {all.PercentileMs(99):0.00} ms, p99.9 {all.PercentileMs(99.9):0.00} ms, max {all.MaxMs:0.0} ms");
        Console.WriteLine($"TaskFlow process: {FleetMemory.Measure()}; load average {MachineInfo.LoadAverage()}");
        return 0;
    }

    private static async Task CallAsync(McpRouter router, ServerLoad server, long dueAt, Action done, CancellationToken cancellationToken)
    {
        // Yield first: the scheduler loop must not run the call's synchronous part.
        await Task.Yield();
        string? error = null;
        try
        {
            var outcome = await router.CallToolAsync(new McpToolCall(server.Tool, new JsonObject { ["message"] = "load" }), cancellationToken);
            if (outcome.Result.IsError == true)
            {
                error = "tool error: " + string.Join(" ", outcome.Result.Content.OfType<TextContentBlock>().Select(t => t.Text));
            }
        }
        catch (McpRoutingException ex)
        {
            error = ex.Message;
        }
        finally
        {
            done();
        }

        server.Record(Stopwatch.GetElapsedTime(dueAt), error);
    }

    private static async Task WatchBreakersAsync(McpRouter router, ServerLoad[] servers, CancellationToken cancellationToken)
    {
        var byName = servers.ToDictionary(s => s.Name, StringComparer.Ordinal);
        var started = Stopwatch.GetTimestamp();
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                foreach (var status in router.GetStatus())
                {
                    if (byName.TryGetValue(status.Name, out var server))
                    {
                        server.ObserveBreaker(status.Breaker.ToString(), Stopwatch.GetElapsedTime(started));
                    }
                }

                await Task.Delay(50, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            // The run ended.
        }
    }

    /// <summary>One server's share of the load: latencies, errors and breaker transitions.</summary>
    private sealed class ServerLoad(string name, string tool)
    {
        private readonly Lock _lock = new();
        private string _breaker = "Closed";

        public string Name => name;

        public string Tool => tool;

        public Latencies Latencies { get; } = new();

        public long Errors { get; private set; }

        public string? FirstError { get; private set; }

        public List<string> BreakerEvents { get; } = [];

        public void Record(TimeSpan latency, string? error)
        {
            lock (_lock)
            {
                Latencies.Add(latency);
                if (error is not null)
                {
                    Errors++;
                    FirstError ??= error;
                }
            }
        }

        public void ObserveBreaker(string state, TimeSpan at)
        {
            if (state != _breaker)
            {
                BreakerEvents.Add($"{_breaker}->{state} at {at.TotalSeconds:0.0} s");
                _breaker = state;
            }
        }
    }
}
