namespace TaskFlow.Server.Mcp.LoadTest;

/// <summary>
/// The reference report's load test (<c>load_test.sh --servers 21 --duration 3600 --tps 1000</c>):
/// how many simulated servers, for how long, at what offered rate. Bounded, so a run always ends.
/// </summary>
public sealed record McpLoadTestOptions(int Servers = 21, TimeSpan? Duration = null, int Tps = 1000)
{
    public TimeSpan Length => Duration ?? TimeSpan.FromHours(1);

    /// <summary>Every problem with the options, each naming its flag; empty when they can run.</summary>
    public IEnumerable<string> Problems()
    {
        if (Servers is < 1 or > 5_000)
        {
            yield return $"--servers {Servers}: use 1 to 5000";
        }

        if (Length < TimeSpan.FromSeconds(1) || Length > TimeSpan.FromHours(24))
        {
            yield return $"--duration {Length.TotalSeconds:0}: use 1 to 86400 seconds";
        }

        if (Tps is < 1 or > 100_000)
        {
            yield return $"--tps {Tps}: use 1 to 100000 calls per second";
        }
    }
}
