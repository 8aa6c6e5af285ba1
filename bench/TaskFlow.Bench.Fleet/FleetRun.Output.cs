using TaskFlow.Server.Mcp.LoadTest;
namespace TaskFlow.Bench.Fleet;

// The fleet run's raw lines, printed as each phase ends.
internal static partial class FleetRun
{
    // Per server: the processes started for it (the router may run several) with their children.
    private static void PrintServerMemory(string phase, FleetLaunch launch, IReadOnlyList<FleetServer> servers)
    {
        var parts = servers.Select(server =>
        {
            var pids = ProcessTree.ChildrenMatching(launch.ProcessMarker(server));
            var processes = pids.Sum(p => 1 + ProcessTree.Descendants(p).Count);
            return $"{server.Name} {pids.Sum(ProcessTree.TreeRss) / (1024 * 1024)}{(pids.Count == 1 ? "" : $" ({pids.Count}x)")}{(processes > pids.Count ? $" +{processes - pids.Count} children" : "")}";
        });
        Console.WriteLine($"{phase}, RSS per server in MiB: {string.Join(", ", parts)}");
    }

    private static void PrintStarts(IReadOnlyList<ServerStart> starts)
    {
        foreach (var start in starts.OrderBy(s => s.Server, StringComparer.Ordinal))
        {
            Console.WriteLine($"  {start.Server,-20} {Ms(start.Elapsed),10}  protocol {start.ProtocolVersion ?? "-",-10} {start.Tools,4} tools{(start.Error is null ? "" : $"  error: {start.Error}")}");
        }
    }

    private static void PrintThroughput(ThroughputFigures t)
    {
        Console.WriteLine($"router {t.FleetSize}: sustained {t.Elapsed.TotalSeconds:0.0} s, {t.InFlight} in flight to each of {t.PerServer.Count} servers' probes: {t.Calls} calls, {t.Errors} failed, {t.CallsPerMinute:N0} answered/min; latency p50 {t.All.PercentileMs(50):0.00} ms, p90 {t.All.PercentileMs(90):0.00} ms, p99 {t.All.PercentileMs(99):0.00} ms, max {t.All.MaxMs:0.0} ms");
        foreach (var c in t.PerServer.OrderBy(c => c.Server, StringComparer.Ordinal))
        {
            Console.WriteLine($"  {c.Server,-20} {c.Calls,8} calls {(c.Calls - c.Errors) / t.Elapsed.TotalSeconds,7:0.0}/s {c.Errors,6} failed  p50 {c.Latencies.PercentileMs(50),8:0.00} ms  p99 {c.Latencies.PercentileMs(99),8:0.00} ms  max {c.Latencies.MaxMs,8:0.0} ms{(c.FirstError is null ? "" : $"  first error: {c.FirstError}")}");
        }
    }

    private static void PrintRecovery(RecoveryFigures r) =>
        Console.WriteLine($"recovery: killed {r.KilledProcesses} processes of {r.Server} (SIGKILL) under 4 callers: {(r.Recovered is { } t ? $"answered again after {Ms(t)}" : "not answered again within the bound")}; {r.CallsFailed} calls failed meanwhile (first: {r.FirstError ?? "-"}); breaker states seen: {string.Join(" -> ", r.BreakerStates)}; status last error: {r.LastErrorInStatus ?? "null"}");

    private static async Task ReportLeftoversAsync(string phase)
    {
        var left = await FleetMemory.WaitForNoChildrenAsync(ExitBound);
        Console.WriteLine(left.Count == 0
            ? $"{phase}: every server process has exited"
            : $"{phase}: {left.Count} processes still running {ExitBound.TotalSeconds:0} s after the close: {string.Join("; ", left)}");
    }
}
