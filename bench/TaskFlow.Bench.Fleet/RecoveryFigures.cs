namespace TaskFlow.Bench.Fleet;

/// <summary>What happened after a server's processes were killed while calls kept coming.</summary>
/// <param name="Recovered">From the kill to the first call answered again; null when none was within the bound.</param>
/// <param name="BreakerStates">Every breaker state the status showed meanwhile, in order of first sight.</param>
internal sealed record RecoveryFigures(
    string Server,
    int KilledProcesses,
    TimeSpan? Recovered,
    long CallsOk,
    long CallsFailed,
    string? FirstError,
    IReadOnlyList<string> BreakerStates,
    string? LastErrorInStatus);
