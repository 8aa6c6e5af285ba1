using System.Text.Json.Nodes;

namespace TaskFlow.Bench.Fleet;

/// <summary>
/// One server of the fleet: which of the report's servers it is (or stands in for), its tier, how
/// it starts, and a call that is safe to repeat (read-only, no network) for throughput and recovery.
/// </summary>
/// <param name="Name">The router's name for it.</param>
/// <param name="ReportName">The server of the MCP Infrastructure Scaling Report it is, or stands in for.</param>
/// <param name="Tier">The report's tier (1 critical .. 4 support); 3, the router's default, for servers the report does not tier.</param>
/// <param name="Package">The npm package, or null for TaskFlow's own servers.</param>
/// <param name="Arguments">Arguments after the package's entry file (or after <c>taskflow.dll</c>).</param>
/// <param name="ProbeTool">A repeatable read-only tool, or null when the server has none that is safe to call in a loop.</param>
/// <param name="Note">Why it stands in, or what it needs; empty when it is the report's server itself.</param>
internal sealed record FleetServer(
    string Name,
    string ReportName,
    int Tier,
    string? Package,
    IReadOnlyList<string> Arguments,
    string? ProbeTool = null,
    JsonObject? ProbeArguments = null,
    string Note = "",
    IReadOnlyDictionary<string, string>? Environment = null)
{
    /// <summary>One of the two servers the report adds (TaskFlow's own).</summary>
    public bool IsNew => Package is null;
}
