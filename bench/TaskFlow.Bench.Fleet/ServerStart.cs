namespace TaskFlow.Bench.Fleet;

/// <summary>One server's start and first tool listing: how long, how many tools, or why it failed.</summary>
internal sealed record ServerStart(string Server, TimeSpan Elapsed, int Tools, string? ProtocolVersion, string? Error);
