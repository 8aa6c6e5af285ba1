namespace TaskFlow.Bench.Fleet;

/// <summary>A sustained closed-loop run: calls answered, failures and latencies, overall and per server.</summary>
internal sealed record ThroughputFigures(
    int FleetSize,
    int Workers,
    TimeSpan Elapsed,
    long Calls,
    long Errors,
    Latencies All,
    IReadOnlyList<CallTally> PerServer)
{
    public double CallsPerMinute => (Calls - Errors) / Elapsed.TotalMinutes;
}
