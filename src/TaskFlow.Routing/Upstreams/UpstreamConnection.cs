using ModelContextProtocol.Client;

namespace TaskFlow.Routing.Upstreams;

/// <summary>One MCP session with an upstream server (for stdio: one supervised process), and its calls in flight.</summary>
internal sealed class UpstreamConnection(McpClient client) : IAsyncDisposable
{
    private int _inFlight;
    private int _broken;

    public McpClient Client { get; } = client;

    /// <summary>The protocol revision the session negotiated.</summary>
    public string? ProtocolVersion => Client.NegotiatedProtocolVersion;

    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>The session ended (the process exited, the stream closed) or a call saw the transport fail.</summary>
    public bool IsBroken => Volatile.Read(ref _broken) == 1 || Client.Completion.IsCompleted;

    public void Enter() => Interlocked.Increment(ref _inFlight);

    public void Exit() => Interlocked.Decrement(ref _inFlight);

    public void MarkBroken() => Volatile.Write(ref _broken, 1);

    public async ValueTask DisposeAsync()
    {
        MarkBroken();
        try
        {
            await Client.DisposeAsync();
        }
        catch (Exception)
        {
            // A session that already failed may fail again while closing; it is gone either way.
        }
    }
}
