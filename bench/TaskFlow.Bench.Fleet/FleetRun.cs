using TaskFlow.Server.Mcp.LoadTest;
using System.Diagnostics;
using System.Text.RegularExpressions;
using TaskFlow.Routing;

namespace TaskFlow.Bench.Fleet;

/// <summary>
/// The report's question on a real fleet: the 21 servers started directly in parallel (the floor),
/// then behind the router (cold and warm listing, tools, memory, sustained calls, kills), the
/// report's 19 behind a fresh router, several clients on one gateway, and the cold listings again
/// in reverse order. Prints raw lines as it goes, the table at the end.
/// </summary>
internal static partial class FleetRun
{
    private static readonly TimeSpan StartBound = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan ExitBound = TimeSpan.FromSeconds(10);
    private const int WarmListings = 20;
    private const int KillsPerServer = 3;
    private const int GatewayClients = 4;

    public static async Task<int> RunAsync(FleetOptions options, CancellationToken cancellationToken)
    {
        var launch = FleetLaunch.Create(BenchPaths.ServersFolder(options.ServersFolder), BenchPaths.TaskFlowServer(options.TaskFlowServer));
        var kills = options.Kill.Select(name => FleetCatalog.Servers.FirstOrDefault(s => s.Name == name && s.ProbeTool is not null)
            ?? throw new ArgumentException($"--kill must name servers with a probe tool ({string.Join(", ", FleetCatalog.Servers.Where(s => s.ProbeTool is not null).Select(s => s.Name))}), not '{name}'.")).ToList();
        try
        {
            return await RunAsync(options, launch, kills, cancellationToken);
        }
        finally
        {
            await FleetMemory.WaitForNoChildrenAsync(ExitBound);
            launch.DeleteRunFolder();
        }
    }

    private static async Task<int> RunAsync(FleetOptions options, FleetLaunch launch, List<FleetServer> kills, CancellationToken cancellationToken)
    {
        MachineInfo.Print();
        Console.WriteLine($"fleet: {FleetCatalog.Servers.Count} servers, recovery: {string.Join(", ", kills.Select(k => k.Name))} killed {KillsPerServer} times each; order of the phases: direct 21, router 21, router 19, {GatewayClients} clients on the gateway of the 21, then the cold listings again in reverse (router 21, direct 21); sustained runs {options.Duration.TotalSeconds:0} s with {options.InFlight} calls in flight to each probed server");
        foreach (var server in FleetCatalog.Servers)
        {
            Console.WriteLine($"  {server.Name,-20} tier {server.Tier}  {server.Package ?? "taskflow",-42} {launch.Version(server),-10} report: {server.ReportName,-30} probe: {server.ProbeTool ?? "-",-24} {server.Note}");
        }

        var figures = new FleetFigures();

        // 1. The floor: the same 21 servers started directly, all at once.
        Console.WriteLine();
        Console.WriteLine("== direct: 21 servers started in parallel with the plain SDK client (connect + tools/list)");
        await using (var direct = await DirectFleet.StartAsync(launch, FleetCatalog.Servers, StartBound, cancellationToken))
        {
            PrintStarts(direct.Starts);
            figures.DirectColds.Add(direct.Elapsed);
            figures.DirectSlowest = direct.Starts.Max(s => s.Elapsed);
            figures.DirectMemory = FleetMemory.Measure();
            Console.WriteLine($"direct: all listed in {Ms(direct.Elapsed)} (slowest server {Ms(figures.DirectSlowest)}); {direct.Starts.Sum(s => s.Tools)} tools; {figures.DirectMemory}");
            PrintServerMemory("direct", launch, FleetCatalog.Servers);
        }

        await ReportLeftoversAsync("direct");

        // 2. The 21 behind the router.
        Console.WriteLine();
        Console.WriteLine("== router: 21 servers (the report's 19 and TaskFlow's task-decomposition and workspace-isolation)");
        await using (var fleet = FleetRouter.Create(FleetCatalog.Servers.ToDictionary(s => s.Name, launch.RouterOptions)))
        {
            figures.Router21 = await DiscoverAsync(fleet, cancellationToken);
            figures.RouterColds.Add(figures.Router21.Cold);
            figures.Memory21 = FleetMemory.Measure();
            Console.WriteLine($"router 21: {figures.Memory21}");
            PrintServerMemory("router 21", launch, FleetCatalog.Servers);
            figures.Throughput21 = await ThroughputRun.RunAsync(fleet.Router, FleetCatalog.Servers, options.InFlight, options.Duration, cancellationToken);
            PrintThroughput(figures.Throughput21);
            Console.WriteLine($"router 21 after the sustained run: {FleetMemory.Measure()}");
            PrintServerMemory("router 21 after the sustained run", launch, FleetCatalog.Servers);
            foreach (var server in kills)
            {
                for (var i = 0; i < KillsPerServer; i++)
                {
                    var recovery = await RecoveryRun.RunAsync(fleet.Router, launch, server, TimeSpan.FromSeconds(60), cancellationToken);
                    figures.Recoveries.Add(recovery);
                    PrintRecovery(recovery);
                }
            }
        }

        await ReportLeftoversAsync("router 21");

        // 3. The report's 19 behind a fresh router.
        Console.WriteLine();
        Console.WriteLine("== router: the report's 19 servers");
        await using (var fleet = FleetRouter.Create(FleetCatalog.Current.ToDictionary(s => s.Name, launch.RouterOptions)))
        {
            figures.Router19 = await DiscoverAsync(fleet, cancellationToken);
            figures.Memory19 = FleetMemory.Measure();
            Console.WriteLine($"router 19: {figures.Memory19}");
            figures.Throughput19 = await ThroughputRun.RunAsync(fleet.Router, FleetCatalog.Current, options.InFlight, options.Duration, cancellationToken);
            PrintThroughput(figures.Throughput19);
        }

        await ReportLeftoversAsync("router 19");

        // 4. Several clients on one gateway, as the server hosts it.
        Console.WriteLine();
        Console.WriteLine($"== gateway: {GatewayClients} MCP clients over Streamable HTTP on one gateway of the 21");
        figures.GatewayClients = await GatewayClientsRun.RunAsync(launch, FleetCatalog.Servers, GatewayClients, () => PrintServerMemory("gateway", launch, FleetCatalog.Servers), cancellationToken);
        var g = figures.GatewayClients;
        Console.WriteLine($"gateway: {g.Clients} clients listed {string.Join("/", g.ToolsPerClient)} tools and called every probed server once each: {g.CallsOk} answered, {g.CallsFailed} failed{(g.FirstError is null ? "" : $" (first: {g.FirstError})")}; {g.Memory}");
        await ReportLeftoversAsync("gateway");

        // 5. The cold listings again in reverse order (A B B A), so neither side always goes first.
        Console.WriteLine();
        Console.WriteLine("== cold listing again: router 21, then direct 21");
        await using (var fleet = FleetRouter.Create(FleetCatalog.Servers.ToDictionary(s => s.Name, launch.RouterOptions)))
        {
            var started = Stopwatch.GetTimestamp();
            var listed = await fleet.Gateway.ListToolsAsync(cancellationToken);
            figures.RouterColds.Add(Stopwatch.GetElapsedTime(started));
            Console.WriteLine($"router 21: cold listing through the gateway {Ms(figures.RouterColds[^1])}, {listed.Tools.Count} tools");
        }

        await ReportLeftoversAsync("router 21");
        await using (var direct = await DirectFleet.StartAsync(launch, FleetCatalog.Servers, StartBound, cancellationToken))
        {
            figures.DirectColds.Add(direct.Elapsed);
            Console.WriteLine($"direct: all listed in {Ms(direct.Elapsed)} (slowest server {Ms(direct.Starts.Max(s => s.Elapsed))}); {direct.Starts.Sum(s => s.Tools)} tools{(direct.Starts.Any(s => s.Error is not null) ? $"; failed: {string.Join(", ", direct.Starts.Where(s => s.Error is not null).Select(s => $"{s.Server}: {s.Error}"))}" : "")}");
        }

        await ReportLeftoversAsync("direct");
        Console.WriteLine($"load average at the end: {MachineInfo.LoadAverage()}");
        Console.WriteLine();
        FleetTable.Print(figures);
        return 0;
    }

    private static async Task<DiscoveryFigures> DiscoverAsync(FleetRouter fleet, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var listed = await fleet.Gateway.ListToolsAsync(cancellationToken);
        var cold = Stopwatch.GetElapsedTime(started);
        var status = fleet.Router.GetStatus();
        foreach (var server in status.OrderBy(s => s.Name, StringComparer.Ordinal))
        {
            Console.WriteLine($"  {server.Name,-20} tier {server.Tier} {server.State,-8} protocol {server.ProtocolVersion ?? "-",-10} {server.Tools?.Count ?? 0,4} tools  breaker {server.Breaker}{(server.LastError is null ? "" : $"  last error: {server.LastError}")}");
        }

        var names = listed.Tools.Select(t => t.Name).ToList();
        var valid = names.Count(n => ClientSafeName().IsMatch(n));
        var bytes = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(listed, ModelContextProtocol.McpJsonUtilities.DefaultOptions).Length;

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

        var protocols = string.Join(", ", status.GroupBy(s => s.ProtocolVersion ?? "none").OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} x{g.Count()}"));
        var figures = new DiscoveryFigures(status.Count, status.Count(s => s.Tools is { Count: > 0 }), cold, names.Count, valid, bytes, routerWarm.PercentileMs(50), gatewayWarm.PercentileMs(50), gatewayWarm.MaxMs, protocols);
        Console.WriteLine($"router {status.Count}: cold listing through the gateway {Ms(cold)}: {figures.Listing}; warm re-list median of {WarmListings}: router {figures.RouterWarmMs:0.000} ms, gateway {figures.GatewayWarmMs:0.000} ms (max {figures.GatewayWarmMaxMs:0.000} ms); protocols {protocols}");
        return figures;
    }

    internal static string Ms(TimeSpan t) => $"{t.TotalMilliseconds:N0} ms";

    // The names Claude's API accepts (1..128), tightened to the 64 characters of issue 14's target.
    [GeneratedRegex("^[a-zA-Z0-9_-]{1,64}$")]
    private static partial Regex ClientSafeName();
}
