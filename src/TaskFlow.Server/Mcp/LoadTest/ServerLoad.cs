namespace TaskFlow.Server.Mcp.LoadTest;

/// <summary>One server's share of the load: latencies, errors and breaker transitions.</summary>
internal sealed class ServerLoad(string name, string tool)
{
    private readonly Lock _lock = new();
    private string _breaker = "Closed";

    public string Name => name;

    public string Tool => tool;

    /// <summary>From the moment each call was due.</summary>
    public Latencies Latencies { get; } = new();

    /// <summary>From the moment each call was sent.</summary>
    public Latencies Sent { get; } = new();

    public long Errors { get; private set; }

    public string? FirstError { get; private set; }

    public List<string> BreakerEvents { get; } = [];

    public void Record(TimeSpan fromDue, TimeSpan fromSent, string? error)
    {
        lock (_lock)
        {
            Latencies.Add(fromDue);
            Sent.Add(fromSent);
            if (error is not null)
            {
                Errors++;
                FirstError ??= error;
            }
        }
    }

    public void ObserveBreaker(string state, TimeSpan at)
    {
        if (state != _breaker)
        {
            BreakerEvents.Add($"{_breaker}->{state} at {at.TotalSeconds:0.0} s");
            _breaker = state;
        }
    }
}
