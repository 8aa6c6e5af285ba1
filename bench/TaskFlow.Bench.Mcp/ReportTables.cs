using System.Globalization;

namespace TaskFlow.Bench.Mcp;

/// <summary>
/// The summary tables, in Markdown, with the issue's targets judged next to the figures.
/// Latency: the median over rounds of each round's p50 (and p99); the router's addition is the
/// median over rounds of router minus direct in the same round. Throughput: all measured calls
/// of all rounds over all their time, per side, so every block counts; the range is the ratio
/// round by round.
/// </summary>
internal static class ReportTables
{
    /// <summary>The in-process router adds at most this much to the median call.</summary>
    public const double MaxAddedP50Us = 50;

    /// <summary>The gateway (HTTP to <c>/mcp</c>, then the router) adds at most this much to the median call.</summary>
    public const double MaxGatewayAddedP50Us = 150;

    /// <summary>The router keeps at least this share of the direct calls/s at concurrency 64.</summary>
    public const double MinThroughputShare = 0.90;

    /// <summary>One route decision takes at most this long.</summary>
    public const double MaxDecisionNs = 1_000;

    public static void Print(IReadOnlyList<SideRun> runs, IReadOnlyList<DecisionFigures> decisions)
    {
        var transports = runs.Select(r => r.Transport).Distinct().ToList();
        if (transports.Count > 0)
        {
            Console.WriteLine("| Transport | Side | p50, c1 | p99, c1 | calls/s, c1 | calls/s, c16 | calls/s, c64 | connections c1/c16/c64 | client CPU per call, c16 / c64 | allocated per call, c16 |");
            Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|");
            foreach (var transport in transports)
            {
                var subject = SubjectOf(runs, transport);
                var router = Side(runs, transport, subject);
                var direct = Side(runs, transport, "direct");
                foreach (var (name, m) in new[] { (subject, router), ("direct", direct) })
                {
                    Console.WriteLine(Invariant($"| {transport} | {name} | {m.P50:0.0} us | {m.P99:0.0} us | {m.Rate1:#,0} | {m.Rate16:#,0} | {m.Rate64:#,0} | {m.Connections} | {m.Cpu16:0.0} / {m.Cpu64:0.0} us | {m.Bytes16:#,0} B |"));
                }

                var added = AddedP50(runs, transport);
                Console.WriteLine(Invariant($"| {transport} | {subject} vs direct | **{added.Median:+0.0;-0.0} us** ({added.Min:+0.0;-0.0} to {added.Max:+0.0;-0.0}) | {router.P99 - direct.P99:+0.0;-0.0} us | {Share(runs, transport, r => r.C1)} | {Share(runs, transport, r => r.C16)} | **{Share(runs, transport, r => r.C64)}** | | {router.Cpu16 - direct.Cpu16:+0.0;-0.0} / {router.Cpu64 - direct.Cpu64:+0.0;-0.0} us | {router.Bytes16 - direct.Bytes16:+#,0;-#,0} B |"));
            }

            Console.WriteLine();
            foreach (var transport in transports)
            {
                var one = runs.Where(r => r.Transport == transport && r.C64OnOneConnection is not null).Select(r => r.C64OnOneConnection!).ToList();
                Console.WriteLine(Invariant($"{transport}: direct at c64 on 1 connection, for reference: {Pooled(one):#,0} calls/s"));
            }

            Console.WriteLine();
        }

        Console.WriteLine("| Servers | Rules | Tool names | ns per decision (median of 5) | range |");
        Console.WriteLine("|---|---|---|---|---|");
        foreach (var d in decisions)
        {
            Console.WriteLine(Invariant($"| {d.Servers:#,0} | {d.Rules:#,0} | {d.Kind} | {d.MedianNs:0.0} | {d.MinNs:0.0} - {d.MaxNs:0.0} |"));
        }

        Console.WriteLine();
        Console.WriteLine("| Target | Figure | |");
        Console.WriteLine("|---|---|---|");
        foreach (var transport in transports)
        {
            var added = AddedP50(runs, transport);
            var subject = SubjectOf(runs, transport);
            if (subject == "floor")
            {
                // For reference only: what the transport itself costs.
                continue;
            }

            var limit = subject == "gateway" ? MaxGatewayAddedP50Us : MaxAddedP50Us;
            Console.WriteLine(Invariant($"| {transport}: {subject} adds <= {limit:0} us at p50 | {added.Median:+0.0;-0.0} us (rounds {added.Min:+0.0;-0.0} to {added.Max:+0.0;-0.0}) | {Verdict(added.Median <= limit, $"{added.Median - limit:0.0} us over")} |"));
            if (subject == "gateway")
            {
                // No throughput target for the gateway: its calls cross HTTP, the direct ones stdio.
                continue;
            }

            var share = Ratio(runs, transport, r => r.C64);
            Console.WriteLine(Invariant($"| {transport}: router keeps >= {MinThroughputShare:0%} of direct calls/s at c64 | {Share(runs, transport, r => r.C64)} | {Verdict(share >= MinThroughputShare, $"{(MinThroughputShare - share) * 100:0.0} points short")} |"));
        }

        // The target is for the report's fleet and for a large one, with the report's rules; the
        // 1,000-rule table is shown for scale and judged too, so its cost is not hidden.
        foreach (var group in decisions.GroupBy(d => (d.Servers, d.Rules)))
        {
            var worst = group.MaxBy(d => d.MedianNs)!;
            Console.WriteLine(Invariant($"| a decision takes <= {MaxDecisionNs:0} ns ({group.Key.Servers:#,0} servers, {group.Key.Rules:#,0} rules) | worst kind {worst.MedianNs:0.0} ns ({worst.Kind}) | {Verdict(worst.MedianNs <= MaxDecisionNs, $"{worst.MedianNs / MaxDecisionNs:0.0}x the target")} |"));
        }
    }

    /// <summary>The side compared with the direct one on this transport: "router", "gateway" or "floor".</summary>
    private static string SubjectOf(IReadOnlyList<SideRun> runs, string transport) =>
        runs.First(r => r.Transport == transport && r.Side != "direct").Side;

    private static string Verdict(bool met, string shortfall) => met ? "met" : $"**not met** ({shortfall})";

    private static SideFigures Side(IReadOnlyList<SideRun> runs, string transport, string side)
    {
        var mine = runs.Where(r => r.Transport == transport && r.Side == side).ToList();
        var c16 = mine.Select(r => r.C16).ToList();
        var c64 = mine.Select(r => r.C64).ToList();
        return new SideFigures(
            MedianOf(mine.Select(r => r.C1.P50Us)),
            MedianOf(mine.Select(r => r.C1.P99Us)),
            Pooled(mine.Select(r => r.C1)),
            Pooled(c16),
            Pooled(c64),
            c16.Sum(p => p.CpuUsPerCall * p.Calls) / c16.Sum(p => p.Calls),
            c64.Sum(p => p.CpuUsPerCall * p.Calls) / c64.Sum(p => p.Calls),
            c16.Sum(p => p.BytesPerCall * p.Calls) / c16.Sum(p => p.Calls),
            string.Join(", ", mine.Select(r => $"{r.C1.Connections}/{r.C16.Connections}/{r.C64.Connections}").Distinct()));
    }

    /// <summary>Subject (router or gateway) minus direct p50, round by round: the median and the range.</summary>
    private static (double Median, double Min, double Max) AddedP50(IReadOnlyList<SideRun> runs, string transport)
    {
        var added = Pairs(runs, transport).Select(p => p.Router.C1.P50Us - p.Direct.C1.P50Us).ToList();
        return (MedianOf(added), added.Min(), added.Max());
    }

    /// <summary>Router calls/s over direct calls/s, all rounds pooled.</summary>
    private static double Ratio(IReadOnlyList<SideRun> runs, string transport, Func<SideRun, PhaseFigures> phase)
    {
        var pairs = Pairs(runs, transport);
        return Pooled(pairs.Select(p => phase(p.Router))) / Pooled(pairs.Select(p => phase(p.Direct)));
    }

    private static string Share(IReadOnlyList<SideRun> runs, string transport, Func<SideRun, PhaseFigures> phase)
    {
        var rounds = Pairs(runs, transport).Select(p => phase(p.Router).CallsPerSecond / phase(p.Direct).CallsPerSecond).ToList();
        return Invariant($"{Ratio(runs, transport, phase):0.0%} (rounds {rounds.Min():0%} - {rounds.Max():0%})");
    }

    private static List<(SideRun Router, SideRun Direct)> Pairs(IReadOnlyList<SideRun> runs, string transport) =>
        [.. runs.Where(r => r.Transport == transport && r.Side != "direct")
            .Select(r => (r, runs.Single(d => d.Transport == transport && d.Side == "direct" && d.Round == r.Round)))];

    private static double Pooled(IEnumerable<PhaseFigures> phases)
    {
        var list = phases.ToList();
        return list.Count == 0 ? double.NaN : list.Sum(p => p.Calls) / list.Sum(p => p.Elapsed.TotalSeconds);
    }

    private static double MedianOf(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? double.NaN : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private sealed record SideFigures(double P50, double P99, double Rate1, double Rate16, double Rate64, double Cpu16, double Cpu64, double Bytes16, string Connections);
}
