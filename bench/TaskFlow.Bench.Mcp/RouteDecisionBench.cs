using System.Diagnostics;
using System.Runtime.CompilerServices;
using TaskFlow.Routing;

namespace TaskFlow.Bench.Mcp;

/// <summary>
/// <see cref="RouteTable.Decide"/> alone, in a tight loop: the report's routing rules, and
/// discovered tools (20 per server) for 21 servers (the report's fleet) and for 1,000. Each kind
/// of tool name cycles through 1,024 different names, so the figures include hashing names the
/// CPU has not just compared.
/// </summary>
internal static class RouteDecisionBench
{
    public const int ToolsPerServer = 20;
    public const int Repetitions = 5;

    /// <summary>The report's <c>mcp_routing_rules</c> block, as written there.</summary>
    public const string ReportRules = """
        mcp_routing_rules:
          load_balancing:
            algorithm: "weighted_round_robin"
            health_check_interval: 30s

          routing_priorities:
            - pattern: "memory.*"
              servers: ["memory-bank-mcp", "extended_memory_mcp"]
              strategy: "failover"

            - pattern: "task.*"
              servers: ["task-decomposition-mcp"]
              strategy: "dedicated"

            - pattern: "workspace.*"
              servers: ["workspace-isolation-mcp"]
              strategy: "isolated"

          circuit_breakers:
            failure_threshold: 5
            timeout: 30s
            half_open_requests: 3
        """;

    /// <summary>The report's 19 servers and the two it adds.</summary>
    private static readonly string[] ReportServers =
    [
        "mcp-server-playwright", "memory-bank-mcp", "puppeteer-mcp-server", "mcp_ssh", "extended_memory_mcp", "nx-mcp",
        "mcp-knowledge-graph", "mcp-language-server", "UltimateCoderMCP", "mcp-compass", "postgres-mcp", "mcp-server-fetch",
        "mcp-server-filesystem", "mcp-server-shell", "mcp-server-git", "mcp-server-docker", "mcp-server-kubernetes",
        "claude-flow", "ruv-swarm", "task-decomposition-mcp", "workspace-isolation-mcp",
    ];

    private static readonly string[] Verbs =
    [
        "read", "write", "list", "search", "create", "delete", "update", "status", "run", "get",
        "set", "query", "open", "close", "send", "fetch", "move", "copy", "watch", "stop",
    ];

    private static readonly TimeSpan TargetPerRepetition = TimeSpan.FromMilliseconds(150);

    /// <param name="servers">Registered servers: the report's 21, then generated names.</param>
    /// <param name="extraRules">Prefix rules added after the report's three, one per server (<c>{server}-ops.*</c>), for the first this many servers.</param>
    public static IReadOnlyList<DecisionFigures> Run(int servers, int extraRules)
    {
        var names = ReportServers.Concat(Enumerable.Range(ReportServers.Length + 1, Math.Max(0, servers - ReportServers.Length)).Select(i => $"server-{i:0000}")).Take(servers).ToArray();
        var report = RoutingRulesYaml.Parse(ReportRules);
        var rules = report with { Rules = [.. report.Rules, .. ExtraRules(names, extraRules)] };
        var owners = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var server in names)
        {
            foreach (var verb in Verbs.Take(ToolsPerServer))
            {
                owners[$"{verb}_{server.Replace('-', '_').ToLowerInvariant()}"] = [server];
            }
        }

        var table = new RouteTable(rules, names, owners);
        var random = new Random(42);
        var owned = owners.Keys.ToArray();
        var kinds = new (string Kind, string[] Tools)[]
        {
            ("rule, first (memory.*)", Names(i => $"memory.{Verbs[i % Verbs.Length]}{i}")),
            ("rule, last of the report's (workspace.*)", Names(i => $"workspace.{Verbs[i % Verbs.Length]}{i}")),
            ("discovered owner (no rule)", Names(_ => owned[random.Next(owned.Length)])),
            ("server.tool name", Names(_ => $"{names[random.Next(names.Length)]}.{Verbs[random.Next(Verbs.Length)]}")),
            ("no route", Names(i => $"nosuch_{Verbs[i % Verbs.Length]}{i}")),
        };
        var mix = Names(i => kinds[i % kinds.Length].Tools[i / kinds.Length]);
        CheckRoutes(table, kinds);

        return [.. kinds.Append(("mix of the five", mix)).Select(k => Measure(table, servers, rules.Rules.Count, k.Item1, k.Item2))];
    }

    private static DecisionFigures Measure(RouteTable table, int servers, int rules, string kind, string[] tools)
    {
        // One unreported repetition first: tiered JIT compiles Decide fully once it is hot.
        var probe = Stopwatch.GetTimestamp();
        Loop(table, tools, 200_000);
        var estimateNs = Stopwatch.GetElapsedTime(probe).TotalNanoseconds / 200_000;
        var iterations = (long)Math.Clamp(TargetPerRepetition.TotalNanoseconds / Math.Max(estimateNs, 1), 100_000, 20_000_000);
        Loop(table, tools, iterations);

        var results = new double[Repetitions];
        for (var r = 0; r < Repetitions; r++)
        {
            var started = Stopwatch.GetTimestamp();
            Loop(table, tools, iterations);
            results[r] = Stopwatch.GetElapsedTime(started).TotalNanoseconds / iterations;
        }

        Array.Sort(results);
        return new DecisionFigures(servers, rules, kind, results[Repetitions / 2], results[0], results[^1], iterations);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static long Loop(RouteTable table, string[] tools, long iterations)
    {
        // The sum keeps the calls observable; the mask cycles through the 1,024 names.
        long routed = 0;
        for (long i = 0; i < iterations; i++)
        {
            if (table.Decide(tools[i & 1023]) is not null)
            {
                routed++;
            }
        }

        return routed;
    }

    private static string[] Names(Func<int, string> name) => [.. Enumerable.Range(0, 1024).Select(name)];

    // A benchmark that measured a wrong decision would be worthless: check each kind once.
    private static void CheckRoutes(RouteTable table, (string Kind, string[] Tools)[] kinds)
    {
        string?[] expected = ["memory.*", "workspace.*", null, null, null];
        for (var k = 0; k < kinds.Length; k++)
        {
            var decision = table.Decide(kinds[k].Tools[0]);
            var ok = k == 4 ? decision is null : decision is not null && decision.Rule?.Pattern.Text == expected[k];
            if (!ok)
            {
                throw new InvalidOperationException($"The route table decided '{kinds[k].Tools[0]}' ({kinds[k].Kind}) wrongly: {decision?.Rule?.Pattern.Text ?? "no rule"}, servers {string.Join(",", decision?.Servers ?? [])}.");
            }
        }
    }

    private static IEnumerable<RoutingRule> ExtraRules(string[] servers, int count) =>
        servers.Take(count).Select(s => new RoutingRule(ToolPattern.TryParse($"{s}-ops.*", out _)!, [s], RoutingStrategy.Dedicated));
}
