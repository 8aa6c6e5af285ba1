using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;
using TaskFlow.Routing;
using TaskFlow.Routing.Hosting;

namespace TaskFlow.Server.Mcp.LoadTest;

/// <summary>
/// The reference report's load test, <c>taskflow mcp loadtest --servers 21 --duration 3600 --tps 1000</c>:
/// simulated servers on loopback (<see cref="SimulatedMcpServers"/>) behind the router with its
/// defaults, calls started on a fixed schedule (open loop, so a slow answer does not slow the
/// offered load), latency percentiles, errors and breaker transitions per server, and the report's
/// rollout and alert criteria beside what was measured.
/// </summary>
/// <remarks>
/// Latency is given from the moment a call was sent (the router and the server alone) and from the
/// moment it was due (what a caller on that schedule waits, the test's own queueing included).
/// Calls in flight are capped, so a fleet that stops answering cannot grow the test's memory
/// without bound; calls over the cap are counted, not sent.
/// </remarks>
public static class McpLoadTest
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(1);
    private const int MaxInFlight = 20_000;

    /// <returns>0 when the error rate stayed under the report's 0.1%, 1 otherwise.</returns>
    public static async Task<int> RunAsync(McpLoadTestOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        await using var simulated = await SimulatedMcpServers.StartAsync(options.Servers, 1, cancellationToken);
        await using var services = CreateRouter(simulated);
        var router = services.GetRequiredService<McpRouter>();
        output.WriteLine($"loadtest: {options.Servers} simulated servers (Streamable HTTP on {simulated.BaseAddress}), {options.Tps} calls/s offered for {options.Length.TotalSeconds:0} s, router defaults (rate limit 100 messages/s per server)");
        await router.ListToolsAsync(cancellationToken);

        var servers = Enumerable.Range(1, options.Servers).Select(i => new ServerLoad(SimulatedMcpServers.ServerName(i), SimulatedMcpServers.ToolName(i, 0))).ToArray();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var watcher = WatchBreakersAsync(router, servers, stop.Token);
        var inFlight = 0;
        long issued = 0, skipped = 0;
        var pending = new List<Task>();
        var started = Stopwatch.GetTimestamp();
        var total = (long)(options.Tps * options.Length.TotalSeconds);
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
                pending.Add(CallAsync(router, server, dueAt, () => Interlocked.Decrement(ref inFlight), cancellationToken));
            }

            pending.RemoveAll(t => t.IsCompleted);
        }

        await Task.WhenAll(pending);
        var elapsed = Stopwatch.GetElapsedTime(started);
        await stop.CancelAsync();
        await watcher;
        var errors = servers.Sum(s => s.Errors);
        Print(output, servers, issued, skipped, errors, elapsed, options);
        return (double)errors / Math.Max(1, issued) < 0.001 ? 0 : 1;
    }

    private static void Print(TextWriter output, ServerLoad[] servers, long issued, long skipped, long errors, TimeSpan elapsed, McpLoadTestOptions options)
    {
        var all = new Latencies();
        var allSent = new Latencies();
        output.WriteLine("latency in ms from the moment the call was sent (per server), then from the moment it was due (totals)");
        output.WriteLine($"{"server",-10} {"calls",8} {"errors",7} {"p50",8} {"p90",8} {"p99",8} {"p99.9",8} {"max",8}  breaker events");
        foreach (var s in servers)
        {
            all.AddRange(s.Latencies);
            allSent.AddRange(s.Sent);
            output.WriteLine($"{s.Name,-10} {s.Sent.Count,8} {s.Errors,7} {s.Sent.PercentileMs(50),8:0.00} {s.Sent.PercentileMs(90),8:0.00} {s.Sent.PercentileMs(99),8:0.00} {s.Sent.PercentileMs(99.9),8:0.00} {s.Sent.MaxMs,8:0.0}  {(s.BreakerEvents.Count == 0 ? "none" : string.Join(", ", s.BreakerEvents))}{(s.FirstError is null ? "" : $"  first error: {s.FirstError}")}");
        }

        output.WriteLine($"{"all, sent",-10} {allSent.Count,8} {errors,7} {allSent.PercentileMs(50),8:0.00} {allSent.PercentileMs(90),8:0.00} {allSent.PercentileMs(99),8:0.00} {allSent.PercentileMs(99.9),8:0.00} {allSent.MaxMs,8:0.0}");
        output.WriteLine($"{"all, due",-10} {all.Count,8} {errors,7} {all.PercentileMs(50),8:0.00} {all.PercentileMs(90),8:0.00} {all.PercentileMs(99),8:0.00} {all.PercentileMs(99.9),8:0.00} {all.MaxMs,8:0.0}");
        var breakerEvents = servers.Sum(s => s.BreakerEvents.Count);
        var rate = issued / Math.Max(elapsed.TotalSeconds, 0.001);
        output.WriteLine($"total: {issued} calls in {elapsed.TotalSeconds:0.0} s ({rate:N0}/s achieved of {options.Tps}/s offered; {skipped} not sent for the cap of {MaxInFlight} in flight), {errors} errors ({(double)errors / Math.Max(1, issued):P3}), breaker events {breakerEvents}");
        output.WriteLine();
        output.WriteLine("| the report's criterion | measured here |");
        output.WriteLine("|---|---|");
        output.WriteLine($"| error rate < 0.1% (staged rollout), alert above 1% | {(double)errors / Math.Max(1, issued):P3} ({errors} of {issued}) |");
        output.WriteLine($"| alert: latency > 100 ms | {all.CountAbove(100)} of {all.Count} calls over 100 ms from due time (p99 {all.PercentileMs(99):0.00} ms) |");
        output.WriteLine($"| alert: p95 latency > 200 ms | p95 {all.PercentileMs(95):0.00} ms from due time, {allSent.PercentileMs(95):0.00} ms from sent |");
        output.WriteLine($"| {options.Tps} TPS for the duration | {rate:N0}/s achieved over {elapsed.TotalSeconds:0} s |");
        output.WriteLine($"| circuit breakers: 5 failures, 30 s | {breakerEvents} breaker transitions |");
    }

    /// <summary>The router as a host builds it (<c>AddMcpRouterCore</c> over a <c>TaskFlow:Mcp</c> configuration), one entry per simulated server, every other setting at its default.</summary>
    private static ServiceProvider CreateRouter(SimulatedMcpServers simulated)
    {
        var settings = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            [$"{McpRoutingOptions.SectionName}:MaxTotalConnections"] = Math.Max(200, simulated.Servers).ToString(CultureInfo.InvariantCulture),
        };
        foreach (var (name, server) in simulated.RouterEntries())
        {
            var prefix = $"{McpRoutingOptions.SectionName}:Servers:{name}:";
            settings[prefix + "Transport"] = server.Transport;
            settings[prefix + "Url"] = server.Url;
            settings[prefix + "Tier"] = server.Tier.ToString(CultureInfo.InvariantCulture);
        }

        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddLogging(b => b.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace).SetMinimumLevel(LogLevel.Warning));
        services.AddMcpRouterCore();
        return services.BuildServiceProvider();
    }

    private static async Task CallAsync(McpRouter router, ServerLoad server, long dueAt, Action done, CancellationToken cancellationToken)
    {
        // Yield first: the scheduling loop must not run the call's synchronous part.
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
