using System.Diagnostics;
using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;
using TaskFlow.Routing;

namespace TaskFlow.Bench.Fleet;

/// <summary>
/// The report's load test (<c>load_test.sh --servers 21 --duration 3600 --tps 1000</c>) against
/// simulated servers on loopback, through the router: calls are started on a fixed schedule (open
/// loop), so a slow answer does not slow the offered load. Latency is printed both from the moment
/// a call was due (what a caller on that schedule waits, queueing in the bench included) and from
/// the moment it was sent (the router and the server alone). Prints latency percentiles, errors and circuit breaker transitions per server.
/// </summary>
internal static class LoadTestRun
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(1);
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
        var allSent = new Latencies();
        Console.WriteLine("latency in ms from the moment the call was sent (per server), then from the moment it was due (totals)");
        Console.WriteLine($"{"server",-10} {"calls",8} {"errors",7} {"p50",8} {"p90",8} {"p99",8} {"p99.9",8} {"max",8}  breaker events");
        foreach (var s in servers)
        {
            all.AddRange(s.Latencies);
            allSent.AddRange(s.Sent);
            Console.WriteLine($"{s.Name,-10} {s.Sent.Count,8} {s.Errors,7} {s.Sent.PercentileMs(50),8:0.00} {s.Sent.PercentileMs(90),8:0.00} {s.Sent.PercentileMs(99),8:0.00} {s.Sent.PercentileMs(99.9),8:0.00} {s.Sent.MaxMs,8:0.0}  {(s.BreakerEvents.Count == 0 ? "none" : string.Join(", ", s.BreakerEvents))}{(s.FirstError is null ? "" : $"  first error: {s.FirstError}")}");
        }

        Console.WriteLine($"{"all, sent",-10} {allSent.Count,8} {servers.Sum(s => s.Errors),7} {allSent.PercentileMs(50),8:0.00} {allSent.PercentileMs(90),8:0.00} {allSent.PercentileMs(99),8:0.00} {allSent.PercentileMs(99.9),8:0.00} {allSent.MaxMs,8:0.0}");
        Console.WriteLine($"{"all, due",-10} {all.Count,8} {servers.Sum(s => s.Errors),7} {all.PercentileMs(50),8:0.00} {all.PercentileMs(90),8:0.00} {all.PercentileMs(99),8:0.00} {all.PercentileMs(99.9),8:0.00} {all.MaxMs,8:0.0}");

        var errors = servers.Sum(s => s.Errors);
        Console.WriteLine($"total: {issued} calls in {elapsed.TotalSeconds:0.0} s ({issued / elapsed.TotalSeconds:N0}/s achieved of {options.Tps}/s offered; {skipped} not sent for the cap of {MaxInFlight} in flight), {errors} errors ({(double)errors / Math.Max(1, issued):P3}), breaker events {servers.Sum(s => s.BreakerEvents.Count)}");
        Console.WriteLine();
        Console.WriteLine("| the report's criterion | measured here |");
        Console.WriteLine("|---|---|");
        Console.WriteLine($"| error rate < 0.1% (staged rollout), alert above 1% | {(double)errors / Math.Max(1, issued):P3} ({errors} of {issued}) |");
        Console.WriteLine($"| alert: latency > 100 ms | {all.CountAbove(100)} of {all.Count} calls over 100 ms from due time (p99 {all.PercentileMs(99):0.00} ms) |");
        Console.WriteLine($"| alert: p95 latency > 200 ms | p95 {all.PercentileMs(95):0.00} ms from due time, {allSent.PercentileMs(95):0.00} ms from sent |");
        Console.WriteLine($"| 1,000 TPS for the duration | {issued / elapsed.TotalSeconds:N0}/s achieved over {elapsed.TotalSeconds:0} s |");
        Console.WriteLine($"| circuit breakers: 5 failures, 30 s | {servers.Sum(s => s.BreakerEvents.Count)} breaker transitions |");
        var memory = FleetMemory.Measure();
        Console.WriteLine($"memory: TaskFlow (router in the bench process) {MachineInfo.Mib(memory.TaskFlowBytes)} RSS, managed heap {MachineInfo.Mib(memory.ManagedHeapBytes)}; simulated servers' process {MachineInfo.Mib(simulated.Rss())} RSS; load average {MachineInfo.LoadAverage()}");
        return 0;
    }

    private static async Task CallAsync(McpRouter router, ServerLoad server, long dueAt, Action done, CancellationToken cancellationToken)
    {
        // Yield first: the scheduler loop must not run the call's synchronous part.
        await Task.Yield();
        var sent = Stopwatch.GetTimestamp();
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

        server.Record(Stopwatch.GetElapsedTime(dueAt), Stopwatch.GetElapsedTime(sent), error);
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
}
