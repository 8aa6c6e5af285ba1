using TaskFlow.Server.Mcp.LoadTest;
namespace TaskFlow.Bench.Fleet;

/// <summary>A sustained closed-loop run: calls answered, failures and latencies, overall and per server.</summary>
/// <param name="InFlight">Calls kept in flight to each server.</param>
internal sealed record ThroughputFigures(
    int FleetSize,
    int InFlight,
    TimeSpan Elapsed,
    long Calls,
    long Errors,
    Latencies All,
    IReadOnlyList<CallTally> PerServer)
{
    public double CallsPerMinute => (Calls - Errors) / Elapsed.TotalMinutes;

    /// <summary>Answered calls per minute to the given servers only.</summary>
    public double CallsPerMinuteTo(IEnumerable<string> servers)
    {
        var names = servers.ToHashSet(StringComparer.Ordinal);
        return PerServer.Where(c => names.Contains(c.Server)).Sum(c => c.Calls - c.Errors) / Elapsed.TotalMinutes;
    }
}
