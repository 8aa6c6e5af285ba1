namespace TaskFlow.Bench.Mcp;

/// <summary>One side's measurements in one round.</summary>
/// <param name="C64OnOneConnection">Direct side only: concurrency 64 on a single connection, for reference.</param>
/// <param name="ServerPeakRssMiB">HTTP only: the server process's peak resident memory at the end of the round (both sides call it).</param>
internal sealed record SideRun(
    string Transport,
    string Side,
    int Round,
    string? Protocol,
    PhaseFigures C1,
    PhaseFigures C16,
    PhaseFigures C64,
    PhaseFigures? C64OnOneConnection,
    double? ServerPeakRssMiB,
    int WarmupErrors)
{
    public int Errors => WarmupErrors + C1.Errors + C16.Errors + C64.Errors + (C64OnOneConnection?.Errors ?? 0);
}
