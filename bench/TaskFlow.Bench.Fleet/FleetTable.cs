namespace TaskFlow.Bench.Fleet;

/// <summary>The MCP Infrastructure Scaling Report's projections beside what this run measured, as a Markdown table.</summary>
internal static class FleetTable
{
    public static void Print(FleetFigures f)
    {
        var r19 = f.Router19!;
        var r21 = f.Router21!;
        var t19 = f.Throughput19!;
        var t21 = f.Throughput21!;
        Console.WriteLine("| metric | report (19 -> 21) | measured here (19 -> 21) |");
        Console.WriteLine("|---|---|---|");
        Row("discovery, cold", "~200 ms -> ~220 ms (full mesh)", $"router {FleetRun.Ms(r19.Cold)} -> {FleetRun.Ms(r21.Cold)}");
        Row("discovery, cold, 21: router against direct", "-", $"router {string.Join(", ", f.RouterColds.Select(FleetRun.Ms))} (second and fourth phase); started directly in parallel {string.Join(", ", f.DirectColds.Select(FleetRun.Ms))} (first and last phase; slowest single server in the first: {FleetRun.Ms(f.DirectSlowest)})");
        Row("discovery, warm", "cache TTL 300 s", $"router {r19.RouterWarmMs:0.000} -> {r21.RouterWarmMs:0.000} ms; gateway {r19.GatewayWarmMs:0.000} -> {r21.GatewayWarmMs:0.000} ms (median of 20)");
        Row("tools", "-", $"{r19.Tools} -> {r21.Tools} ({r19.ListingBytes / 1024} -> {r21.ListingBytes / 1024} KB); client-safe names {r19.ClientSafeNames} -> {r21.ClientSafeNames}");
        var old = FleetCatalog.Current.Select(s => s.Name).ToList();
        Row("messages / min sustained", "~1,200/min average; max 100/s per server, 2,100/s at 21", $"{t19.CallsPerMinute:N0} -> {t21.CallsPerMinute:N0} answered/min over {t19.PerServer.Count} -> {t21.PerServer.Count} servers with a safe probe, {t19.InFlight} in flight to each; errors {t19.Errors} -> {t21.Errors}");
        Row("throughput, 19 against 21", "1,200/min -> 1,500/min (+25%)", $"{t19.CallsPerMinute:N0} -> {t21.CallsPerMinute:N0}/min ({Change(t19.CallsPerMinute, t21.CallsPerMinute)}); the 19's own calls {t19.CallsPerMinuteTo(old):N0} -> {t21.CallsPerMinuteTo(old):N0}/min ({Change(t19.CallsPerMinuteTo(old), t21.CallsPerMinuteTo(old))}); p50 {t19.All.PercentileMs(50):0.00} -> {t21.All.PercentileMs(50):0.00} ms, p99 {t19.All.PercentileMs(99):0.00} -> {t21.All.PercentileMs(99):0.00} ms");
        Row("protocol", "MCP 2024-11-05", r21.Protocols);
        Row("processes", "85 MCP processes for 19 servers", $"{f.Memory19!.FleetProcesses} -> {f.Memory21!.FleetProcesses} after listing (each server's own children included)");
        Row("memory, fleet", "~4.2 GB -> +2-4 GB for the two new servers", $"{MachineInfo.Mib(f.Memory19.FleetBytes)} -> {MachineInfo.Mib(f.Memory21.FleetBytes)} RSS ({f.Memory19.FleetProcesses} -> {f.Memory21.FleetProcesses} processes); started directly: {MachineInfo.Mib(f.DirectMemory!.FleetBytes)}");
        if (f.GatewayClients is { } g)
        {
            Row($"memory, fleet with {g.Clients} gateway clients", "-", $"{MachineInfo.Mib(g.Memory.FleetBytes)} RSS in {g.Memory.FleetProcesses} processes against {MachineInfo.Mib(f.DirectMemory.FleetBytes)} started directly ({Change(f.DirectMemory.FleetBytes, g.Memory.FleetBytes)}); {g.CallsOk} calls answered, {g.CallsFailed} failed");
        }

        Row("memory, TaskFlow", "~500 MB protocol buffers", $"{MachineInfo.Mib(f.Memory19.TaskFlowBytes)} -> {MachineInfo.Mib(f.Memory21.TaskFlowBytes)} RSS (managed heap {MachineInfo.Mib(f.Memory19.ManagedHeapBytes)} -> {MachineInfo.Mib(f.Memory21.ManagedHeapBytes)})");
        Row("recovery after a server is killed", "30 s -> 10 s", string.Join("; ", f.Recoveries.GroupBy(r => r.Server).Select(g =>
            $"{g.Key}: {string.Join(", ", g.Select(r => r.Recovered is { } t ? FleetRun.Ms(t) : "not within 60 s"))} ({string.Join("/", g.Select(r => r.CallsFailed))} calls failed; breaker {string.Join(" -> ", g.SelectMany(r => r.BreakerStates).Distinct())})")));
    }

    private static void Row(string metric, string report, string measured) => Console.WriteLine($"| {metric} | {report} | {measured} |");

    private static string Change(double before, double after) => before > 0 ? $"{(after - before) / before:+0%;-0%;0%}" : "n/a";
}
