using System.Diagnostics;
using System.Globalization;
using System.Runtime;

namespace TaskFlow.Bench.Mcp;

/// <summary>Runs the transports and the route decision, prints the raw lines, then the tables and the issue's targets.</summary>
internal static class McpBench
{
    public static async Task<int> RunAsync(McpBenchOptions options, CancellationToken cancellationToken)
    {
        var server = EverythingServer.Find(options.ServersFolder);
        Console.WriteLine(Invariant($"machine: {Environment.ProcessorCount} cores ({CpuModel()}), {Environment.OSVersion}, .NET {Environment.Version}, {(GCSettings.IsServerGC ? "server" : "workstation")} GC; node {NodeVersion()}, {EverythingServer.Package} {server.Version}"));
        Console.WriteLine(Invariant($"date: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; rounds {options.Rounds} after an uncounted warm-up round, sides taking turns A B B A; measured calls per side and phase: stdio {options.Calls}, http {options.HttpCalls}; warm-up per side and round: stdio {options.Warmup}, http {options.HttpWarmup}; router rate limit {RouterSide.RateLimit}/s; load average {LoadAverage()}"));

        var runs = new List<SideRun>();
        try
        {
            if (options.Stdio)
            {
                runs.AddRange(await new TransportBench(server, "stdio", "router", options.Calls, options.Warmup, options.Rounds).RunAsync(cancellationToken));
            }

            if (options.Http)
            {
                runs.AddRange(await new TransportBench(server, "http", "router", options.HttpCalls, options.HttpWarmup, options.Rounds).RunAsync(cancellationToken));
            }

            if (options.Gateway)
            {
                // HTTP to the gateway on every call: the HTTP call counts, against a stdio upstream.
                // Then the HTTP hop alone, to show what of the gateway's addition is the transport's.
                runs.AddRange(await new TransportBench(server, "stdio", "gateway", options.HttpCalls, options.HttpWarmup, options.Rounds).RunAsync(cancellationToken));
                runs.AddRange(await new TransportBench(server, "stdio", "floor", options.HttpCalls, options.HttpWarmup, options.Rounds).RunAsync(cancellationToken));
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Console.Error.WriteLine($"error: the benchmark stopped: {ex}");
            return 1;
        }

        var decisions = new List<DecisionFigures>();
        foreach (var (servers, extraRules) in new[] { (21, 0), (1_000, 0), (1_000, 1_000) })
        {
            foreach (var figures in RouteDecisionBench.Run(servers, extraRules))
            {
                Console.WriteLine(Invariant($"decision {figures.Servers,5} servers {figures.Rules,5} rules, {figures.Kind,-42}: median {figures.MedianNs,8:0.0} ns (min {figures.MinNs:0.0}, max {figures.MaxNs:0.0}), {figures.Iterations} iterations x {RouteDecisionBench.Repetitions}"));
                decisions.Add(figures);
            }
        }

        Console.WriteLine($"load average at the end: {LoadAverage()}");
        Console.WriteLine();
        ReportTables.Print(runs, decisions);
        var errors = runs.Sum(r => r.Errors);
        if (errors > 0)
        {
            Console.Error.WriteLine($"error: {errors} calls failed or answered wrongly; the figures above are not valid.");
            return 1;
        }

        return 0;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static string CpuModel()
    {
        try
        {
            return File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU";
        }
        catch (IOException)
        {
            return "unknown CPU";
        }
    }

    // Other work on the machine moves the figures; the load average says whether there was any.
    private static string LoadAverage()
    {
        try
        {
            return string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    private static string NodeVersion()
    {
        using var node = Process.Start(new ProcessStartInfo("node", "--version") { RedirectStandardOutput = true, UseShellExecute = false })
            ?? throw new InvalidOperationException("Could not start node (is Node.js on PATH?).");
        var version = node.StandardOutput.ReadToEnd().Trim();
        node.WaitForExit();
        return version;
    }
}
