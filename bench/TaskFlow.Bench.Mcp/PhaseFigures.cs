namespace TaskFlow.Bench.Mcp;

/// <summary>What one side gave in one measured phase (possibly summed over several blocks).</summary>
/// <param name="Elapsed">For throughput: the blocks' wall time. For latency: the sum of this side's call times.</param>
/// <param name="P50Us">Median call latency in microseconds (latency phases only; otherwise NaN).</param>
/// <param name="CpuUsPerCall">This process's CPU time (all threads) per call: the client's cost, without the server's. NaN for latency phases.</param>
/// <param name="BytesPerCall">Managed memory allocated per call, all threads. NaN for latency phases.</param>
/// <param name="FirstError">The first failure, to name it in the report.</param>
internal sealed record PhaseFigures(
    int Concurrency,
    int Calls,
    TimeSpan Elapsed,
    double P50Us,
    double P99Us,
    double CpuUsPerCall,
    double BytesPerCall,
    int Connections,
    int Errors,
    string? FirstError)
{
    public double CallsPerSecond => Calls / Elapsed.TotalSeconds;

    /// <summary>Two blocks of the same side and concurrency as one.</summary>
    public PhaseFigures Add(PhaseFigures other)
    {
        var calls = Calls + other.Calls;
        return this with
        {
            Calls = calls,
            Elapsed = Elapsed + other.Elapsed,
            CpuUsPerCall = ((CpuUsPerCall * Calls) + (other.CpuUsPerCall * other.Calls)) / calls,
            BytesPerCall = ((BytesPerCall * Calls) + (other.BytesPerCall * other.Calls)) / calls,
            Connections = Math.Max(Connections, other.Connections),
            Errors = Errors + other.Errors,
            FirstError = FirstError ?? other.FirstError,
        };
    }
}
