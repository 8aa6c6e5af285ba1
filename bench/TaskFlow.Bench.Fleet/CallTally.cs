using TaskFlow.Server.Mcp.LoadTest;
namespace TaskFlow.Bench.Fleet;

/// <summary>One server's calls in a run: latencies, failures and the first failure's message. Thread-safe.</summary>
internal sealed class CallTally(string server)
{
    private readonly Lock _lock = new();

    public string Server => server;

    public Latencies Latencies { get; } = new();

    public long Calls { get; private set; }

    public long Errors { get; private set; }

    public string? FirstError { get; private set; }

    public void Record(TimeSpan latency, string? error)
    {
        lock (_lock)
        {
            Calls++;
            Latencies.Add(latency);
            if (error is not null)
            {
                Errors++;
                FirstError ??= error;
            }
        }
    }
}
