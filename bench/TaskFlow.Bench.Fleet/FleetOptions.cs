using System.Globalization;

namespace TaskFlow.Bench.Fleet;

/// <summary>The command line: a mode and its bounds. Every run is bounded by these flags.</summary>
internal sealed class FleetOptions
{
    public const string Usage = """
        usage: dotnet run -c Release --project bench/TaskFlow.Bench.Fleet -- [MODE] [options]
          fleet     (default) the report's fleet from npm behind the router, beside the same servers started directly
                    --servers DIR           installed fleet (default bench/.fleet-servers; see install-fleet.sh)
                    --taskflow-server DLL   built taskflow.dll of src/TaskFlow.Server (default: its build output of the same configuration)
                    --duration SECONDS      each sustained throughput run (default 30)
                    --in-flight N           calls kept in flight to each probed server in throughput runs (default 2)
                    --kill SERVERS          servers killed for the recovery figure, comma-separated (default memory-bank,memory), 3 times each
          simulate  N in-process MCP servers on loopback behind the router: discovery, route decisions, memory
                    --servers N (default 1000) --tools N per server (default 20) --calls N (default 20000)
                    --max-total-connections N (default: one per server, at least the router's 200)
          loadtest  the report's load test against simulated servers on loopback, paced at --tps
                    --servers N (default 21) --duration SECONDS (default 60) --tps N (default 1000)
        """;

    public string Mode { get; private init; } = "fleet";

    public string? ServersFolder { get; private init; }

    public string? TaskFlowServer { get; private init; }

    public int Servers { get; private init; }

    public int Tools { get; private init; } = 20;

    public int Calls { get; private init; } = 20_000;

    public TimeSpan Duration { get; private init; }

    public int InFlight { get; private init; } = 2;

    public int Tps { get; private init; } = 1_000;

    /// <summary>The router's MaxTotalConnections in simulate mode; null for one per server (at least 200).</summary>
    public int? MaxTotalConnections { get; private init; }

    public IReadOnlyList<string> Kill { get; private init; } = ["memory-bank", "memory"];

    /// <exception cref="ArgumentException">An unknown mode or option, or a value out of range.</exception>
    public static FleetOptions Parse(string[] args)
    {
        var mode = args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal) ? args[0] : "fleet";
        if (mode is not ("fleet" or "simulate" or "loadtest" or SimulatedHost.Mode))
        {
            throw new ArgumentException($"Unknown mode '{mode}'.");
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = mode == "fleet" && (args.Length == 0 || args[0].StartsWith("--", StringComparison.Ordinal)) ? 0 : 1; i < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                throw new ArgumentException($"Expected '--name value' at '{args[i]}'.");
            }

            values[args[i][2..]] = args[i + 1];
        }

        var known = mode switch
        {
            "fleet" => new[] { "servers", "taskflow-server", "duration", "in-flight", "kill" },
            "simulate" => ["servers", "tools", "calls", "max-total-connections"],
            "loadtest" => ["servers", "duration", "tps"],
            _ => ["servers", "tools"],
        };
        if (values.Keys.FirstOrDefault(k => !known.Contains(k)) is { } unknown)
        {
            throw new ArgumentException($"Unknown option --{unknown} for mode {mode}.");
        }

        return new FleetOptions
        {
            Mode = mode,
            ServersFolder = mode == "fleet" ? values.GetValueOrDefault("servers") : null,
            TaskFlowServer = values.GetValueOrDefault("taskflow-server"),
            Servers = mode == "fleet" ? 21 : Int(values, "servers", mode == "loadtest" ? 21 : 1_000, 1, 5_000),
            Tools = Int(values, "tools", 20, 1, 1_000),
            Calls = Int(values, "calls", 20_000, 1, 10_000_000),
            Duration = TimeSpan.FromSeconds(Int(values, "duration", mode == "loadtest" ? 60 : 30, 1, 3_600)),
            InFlight = Int(values, "in-flight", 2, 1, 100),
            Tps = Int(values, "tps", 1_000, 1, 100_000),
            MaxTotalConnections = values.ContainsKey("max-total-connections") ? Int(values, "max-total-connections", 200, 1, 10_000) : null,
            Kill = values.TryGetValue("kill", out var kill) ? kill.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : ["memory-bank", "memory"],
        };
    }

    private static int Int(Dictionary<string, string> values, string name, int fallback, int min, int max)
    {
        if (!values.TryGetValue(name, out var text))
        {
            return fallback;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new ArgumentException($"--{name} must be a whole number from {min} to {max}, not '{text}'.");
    }
}
