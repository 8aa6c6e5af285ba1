using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Protocol;
using TaskFlow.Chaos.Harness;
using TaskFlow.Routing;
using TaskFlow.Testing;

namespace TaskFlow.Chaos.Scenarios;

/// <summary>
/// MCP upstream faults: beside a tier-1 server (the real everything server over stdio), a server
/// that stops half-way through an answer, stops answering anything (its thread blocked), writes
/// lines that are no answer (text, JSON that is not JSON-RPC, an answer to nobody's request) before
/// its answer, floods 20,000 notifications, or answers with 50 MB
/// (tests/TaskFlow.Routing.Tests/Fixtures/unruly-server.js; no real server does these on
/// demand). Each fault must end cleanly: the half-answered and the stalled call time out, the garbage is passed over and the flood is answered, the
/// 50 MB answer fails naming the limit; the unruly server serves again afterwards (recovery is
/// the time from the fault's end to its next answered call); and the tier-1 server keeps
/// answering throughout, its latency during the faults printed beside its latency before them.
/// </summary>
public static class McpUpstreamFaultScenario
{
    public const string Name = "mcp-upstream-faults";

    private static readonly string[] Kinds = ["half_answer", "stall", "garbage", "flood", "huge"];

    public static async Task<ScenarioFigures> RunAsync(ScenarioSettings settings)
    {
        var figures = new ScenarioFigures(Name);
        var clock = Stopwatch.StartNew();
        var script = Path.Combine(RepositoryPaths.Root, "tests", "TaskFlow.Routing.Tests", "Fixtures", "unruly-server.js");
        var everything = McpTestServers.Everything();
        var options = new McpRoutingOptions
        {
            Servers = new(StringComparer.Ordinal)
            {
                ["critical"] = new() { Command = everything.Command, Arguments = [.. everything.Arguments], Environment = new(everything.Environment), WorkingDirectory = everything.WorkingDirectory, Tier = 1, RateLimit = 100_000 },
                ["unruly"] = new() { Command = "node", Arguments = [script], WorkingDirectory = Path.GetDirectoryName(script), Tier = 3, RateLimit = 100_000 },
            },
            CallTimeout = TimeSpan.FromSeconds(20),
        };
        await using var router = new McpRouter(Options.Create(options), new RoutingMetrics(), NullLoggerFactory.Instance, TimeProvider.System);
        await router.CallToolAsync(new McpToolCall("pid"));
        for (var i = 0; i < 50; i++)
        {
            await EchoAsync(router, figures);
        }

        var baseline = new List<double>();
        for (var i = 0; i < 500; i++)
        {
            baseline.Add(await EchoAsync(router, figures));
        }

        var during = Kinds.ToDictionary(k => k, _ => new List<double>(), StringComparer.Ordinal);
        var recoveries = Kinds.ToDictionary(k => k, _ => new List<double>(), StringComparer.Ordinal);
        var replaced = Kinds.ToDictionary(k => k, _ => 0, StringComparer.Ordinal);
        for (var run = 0; run < settings.Runs; run++)
        {
            figures.Runs++;
            for (var fault = 0; fault < settings.Faults; fault++)
            {
                foreach (var kind in Kinds)
                {
                    figures.Faults++;
                    var before = await ProcessIdAsync(router);
                    var call = FaultAsync(router, kind);
                    while (!call.IsCompleted)
                    {
                        during[kind].Add(await EchoAsync(router, figures));
                    }

                    var problem = await call;
                    figures.Instances++;
                    if (problem is not null)
                    {
                        figures.Lost++;
                        figures.Problems.Add($"{kind}: {problem}");
                    }

                    var ended = Stopwatch.GetTimestamp();
                    if (!await AnswersAgainAsync(router))
                    {
                        figures.Problems.Add($"{kind}: the unruly server did not answer again within 60 s");
                        continue;
                    }

                    var recovery = Stopwatch.GetElapsedTime(ended).TotalMilliseconds;
                    figures.RecoveryMs.Add(recovery);
                    recoveries[kind].Add(recovery);
                    var process = await ProcessIdAsync(router);
                    if (process != before)
                    {
                        replaced[kind]++;
                    }
                }
            }
        }

        figures.Elapsed = clock.Elapsed;
        figures.Notes["tier-1 echo p50 before"] = Ms(Percentile(baseline, 0.5));
        foreach (var kind in Kinds)
        {
            figures.Notes[$"during {kind}"] = during[kind].Count == 0 ? "-" : $"{Ms(Percentile(during[kind], 0.5))} ({during[kind].Count} calls)";
            figures.Notes[$"{kind} recovery p50"] = recoveries[kind].Count == 0 ? "-" : Ms(Percentile(recoveries[kind], 0.5));
            figures.Notes[$"{kind} process replaced"] = $"{replaced[kind]}/{recoveries[kind].Count}";
        }

        figures.Notes["tier-1 echo p99 before / during all"] = $"{Ms(Percentile(baseline, 0.99))} / {Ms(Percentile([.. during.Values.SelectMany(v => v)], 0.99))}";
        return figures;
    }

    /// <summary>Runs one fault; null when it ended as it must, else what went wrong.</summary>
    private static async Task<string?> FaultAsync(McpRouter router, string kind)
    {
        try
        {
            var outcome = await router.CallToolAsync(new McpToolCall(kind, Timeout: TimeSpan.FromSeconds(kind is "half_answer" or "stall" ? 2 : 20)));
            var text = string.Concat(outcome.Result.Content.OfType<TextContentBlock>().Select(t => t.Text));
            return kind is "flood" or "garbage" && text == "done" ? null : $"answered ({text.Length} characters) where it had to fail";
        }
        catch (McpRoutingException ex)
        {
            var expected = kind switch
            {
                "half_answer" or "stall" => "no answer within 2 s",
                "huge" => "sent a message larger than 10 MB (MaxMessageMegabytes)",
                _ => null,
            };
            return expected is not null && ex.Message.Contains(expected, StringComparison.Ordinal) ? null : ex.Message;
        }
    }

    private static async Task<string> ProcessIdAsync(McpRouter router)
    {
        var outcome = await router.CallToolAsync(new McpToolCall("pid"));
        return string.Concat(outcome.Result.Content.OfType<TextContentBlock>().Select(t => t.Text));
    }

    private static async Task<bool> AnswersAgainAsync(McpRouter router)
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromSeconds(60))
        {
            try
            {
                await router.CallToolAsync(new McpToolCall("pid", Timeout: TimeSpan.FromSeconds(2)));
                return true;
            }
            catch (McpRoutingException)
            {
                await Task.Delay(20);
            }
        }

        return false;
    }

    private static async Task<double> EchoAsync(McpRouter router, ScenarioFigures figures)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await router.CallToolAsync(new McpToolCall("echo", new JsonObject { ["message"] = "tier 1" }, Tier: 1));
        }
        catch (McpRoutingException ex)
        {
            figures.Problems.Add($"the tier-1 server failed a call: {ex.Message}");
        }

        return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }

    private static double Percentile(List<double> values, double p)
    {
        if (values.Count == 0)
        {
            return 0;
        }

        var sorted = values.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];
    }

    private static string Ms(double value) => value.ToString("F2", CultureInfo.InvariantCulture) + " ms";
}
