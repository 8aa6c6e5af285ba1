namespace TaskFlow.Bench.Mcp;

/// <summary>The raw line printed for each side and round.</summary>
internal static class RunLine
{
    public static string Describe(SideRun run)
    {
        var line = FormattableString.Invariant(
            $"{run.Transport,-5} round {run.Round} {run.Side,-7}: c1 p50 {run.C1.P50Us:0.0} us, p99 {run.C1.P99Us:0.0} us, {run.C1.CallsPerSecond:0} calls/s | c16 {run.C16.CallsPerSecond:0} calls/s on {run.C16.Connections}, cpu {run.C16.CpuUsPerCall:0.0} us/call, {run.C16.BytesPerCall:0} B/call | c64 {run.C64.CallsPerSecond:0} calls/s on {run.C64.Connections}, cpu {run.C64.CpuUsPerCall:0.0} us/call, {run.C64.BytesPerCall:0} B/call");
        if (run.C64OnOneConnection is { } one)
        {
            line += FormattableString.Invariant($" | c64 on 1 connection {one.CallsPerSecond:0} calls/s");
        }

        line += $" | protocol {run.Protocol}";
        if (run.ServerPeakRssMiB is { } rss)
        {
            line += FormattableString.Invariant($", server peak RSS {rss:0} MiB");
        }

        if (run.Errors == 0)
        {
            return line;
        }

        var failed = new[] { ("c1", run.C1), ("c16", run.C16), ("c64", run.C64), ("c64 on 1 connection", run.C64OnOneConnection) }
            .Where(p => p.Item2 is { Errors: > 0 })
            .Select(p => $"{p.Item1}: {p.Item2!.Errors}, first {p.Item2.FirstError}")
            .DefaultIfEmpty("all in the warm-up");
        return $"{line} | {run.Errors} ERRORS ({run.WarmupErrors} in the warm-up; {string.Join("; ", failed)})";
    }
}
