using TaskFlow.Server.Mcp.LoadTest;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;
using TaskFlow.Routing;

namespace TaskFlow.Bench.Fleet;

/// <summary>
/// The router in front of N simulated servers (default 1,000) on loopback: cold and warm discovery,
/// route decisions (calls by the bare tool name, each checked to have reached the tool's server)
/// and the memory of the router's process.
/// </summary>
internal static class SimulationRun
{
    private const int InFlight = 16;
    private const int WarmListings = 10;

    public static async Task<int> RunAsync(FleetOptions options, CancellationToken cancellationToken)
    {
        MachineInfo.Print();
        var before = FleetMemory.Measure();
        await using var simulated = await SimulatedFleet.StartAsync(options.Servers, options.Tools, cancellationToken);

        // The default budget (200 connections in total, the report's) is below one connection per
        // server at 1,000 servers; the report's own limit for that many is 1,000 connections.
        var budget = options.MaxTotalConnections ?? Math.Max(200, options.Servers);
        Console.WriteLine($"simulate: {options.Servers} servers x {options.Tools} tools, Streamable HTTP (stateless) on {simulated.BaseAddress} in one child process; router MaxTotalConnections {budget}, tiers 1-4 in turn, other settings default");
        Console.WriteLine($"TaskFlow process before the router: {MachineInfo.Mib(before.TaskFlowBytes)} RSS, managed heap {MachineInfo.Mib(before.ManagedHeapBytes)}");

        await using var fleet = FleetRouter.Create(simulated.RouterEntries(), new Dictionary<string, string> { ["MaxTotalConnections"] = budget.ToString(CultureInfo.InvariantCulture) });
        var started = Stopwatch.GetTimestamp();
        var listed = await fleet.Gateway.ListToolsAsync(cancellationToken);
        var cold = Stopwatch.GetElapsedTime(started);
        var status = fleet.Router.GetStatus();
        var listing = status.Count(s => s.Tools is { Count: > 0 });
        Console.WriteLine($"discovery, cold (gateway listing, every server connected): {FleetRun.Ms(cold)}; {listing} of {status.Count} servers listed, {listed.Tools.Count} tools; protocol {string.Join(", ", status.Select(s => s.ProtocolVersion ?? "none").Distinct())}");
        foreach (var failed in status.Where(s => s.Tools is not { Count: > 0 }).Take(5))
        {
            Console.WriteLine($"  not listed: {failed.Name} {failed.State} {failed.LastError}");
        }

        var routerWarm = new Latencies();
        var gatewayWarm = new Latencies();
        for (var i = 0; i < WarmListings; i++)
        {
            var t = Stopwatch.GetTimestamp();
            await fleet.Router.ListToolsAsync(cancellationToken);
            routerWarm.Add(Stopwatch.GetElapsedTime(t));
            t = Stopwatch.GetTimestamp();
            await fleet.Gateway.ListToolsAsync(cancellationToken);
            gatewayWarm.Add(Stopwatch.GetElapsedTime(t));
        }

        Console.WriteLine($"discovery, warm (median of {WarmListings}): router {routerWarm.PercentileMs(50):0.0} ms, gateway {gatewayWarm.PercentileMs(50):0.0} ms (max {gatewayWarm.MaxMs:0.0} ms)");
        var afterDiscovery = FleetMemory.Measure();
        Console.WriteLine($"TaskFlow process after discovery: {MachineInfo.Mib(afterDiscovery.TaskFlowBytes)} RSS, managed heap {MachineInfo.Mib(afterDiscovery.ManagedHeapBytes)}; {status.Sum(s => s.Connections)} upstream connections; simulated servers' process {MachineInfo.Mib(simulated.Rss())} RSS");

        var routes = await RouteAsync(fleet.Router, options, cancellationToken);
        Console.WriteLine($"route decisions: {routes.Calls} calls by bare tool name to random servers, {InFlight} in flight: {routes.Calls / routes.Elapsed.TotalSeconds:N0} calls/s, p50 {routes.Latencies.PercentileMs(50):0.00} ms, p99 {routes.Latencies.PercentileMs(99):0.00} ms; {routes.Misrouted} reached another server, {routes.Failed} failed{(routes.FirstError is null ? "" : $" (first: {routes.FirstError})")}");
        var afterCalls = FleetMemory.Measure();
        Console.WriteLine($"TaskFlow process after the calls: {MachineInfo.Mib(afterCalls.TaskFlowBytes)} RSS, managed heap {MachineInfo.Mib(afterCalls.ManagedHeapBytes)}; {fleet.Router.GetStatus().Sum(s => s.Connections)} upstream connections");
        Console.WriteLine($"load average at the end: {MachineInfo.LoadAverage()}");
        Console.WriteLine();
        Console.WriteLine("| metric | report | measured here |");
        Console.WriteLine("|---|---|---|");
        Console.WriteLine($"| servers | max_concurrent_connections 1,000 | {options.Servers} servers, {listing} listed, {status.Sum(s => s.Connections)} connections |");
        Console.WriteLine($"| discovery, cold | O(n^2) full mesh; hierarchical recommended above 20 | {FleetRun.Ms(cold)} for {listed.Tools.Count} tools |");
        Console.WriteLine($"| discovery, warm | discovery cache TTL 300 s | router {routerWarm.PercentileMs(50):0.0} ms, gateway {gatewayWarm.PercentileMs(50):0.0} ms |");
        Console.WriteLine($"| route decisions | - | {routes.Calls / routes.Elapsed.TotalSeconds:N0} calls/s end to end, {routes.Misrouted} misrouted of {routes.Calls} |");
        Console.WriteLine($"| memory, TaskFlow | ~500 MB protocol buffers at 21 servers | {MachineInfo.Mib(before.TaskFlowBytes)} before -> {MachineInfo.Mib(afterDiscovery.TaskFlowBytes)} after discovery -> {MachineInfo.Mib(afterCalls.TaskFlowBytes)} after the calls |");
        return routes.Misrouted > 0 ? 1 : 0;
    }

    private static async Task<RouteFigures> RouteAsync(McpRouter router, FleetOptions options, CancellationToken cancellationToken)
    {
        long next = -1, misrouted = 0, failed = 0;
        string? firstError = null;
        var started = Stopwatch.GetTimestamp();
        var series = await Task.WhenAll(Enumerable.Range(0, InFlight).Select(worker => Task.Run(async () =>
        {
            var random = new Random(worker);
            var latencies = new Latencies();
            while (Interlocked.Increment(ref next) < options.Calls)
            {
                var server = random.Next(1, options.Servers + 1);
                var tool = SimulatedHost.ToolName(server, random.Next(options.Tools));
                var call = new McpToolCall(tool, new JsonObject { ["message"] = "route" });
                var t = Stopwatch.GetTimestamp();
                try
                {
                    var outcome = await router.CallToolAsync(call, cancellationToken);
                    var text = outcome.Result.Content.OfType<TextContentBlock>().FirstOrDefault()?.Text;
                    if (outcome.Server != SimulatedHost.ServerName(server) || text != $"{SimulatedHost.ServerName(server)}:{tool}")
                    {
                        Interlocked.Increment(ref misrouted);
                    }
                }
                catch (McpRoutingException ex)
                {
                    Interlocked.Increment(ref failed);
                    Interlocked.CompareExchange(ref firstError, ex.Message, null);
                }

                latencies.Add(Stopwatch.GetElapsedTime(t));
            }

            return latencies;
        }, cancellationToken)));
        var all = new Latencies();
        foreach (var s in series)
        {
            all.AddRange(s);
        }

        return new RouteFigures(options.Calls, Stopwatch.GetElapsedTime(started), all, misrouted, failed, firstError);
    }

    private sealed record RouteFigures(int Calls, TimeSpan Elapsed, Latencies Latencies, long Misrouted, long Failed, string? FirstError);
}
