using ModelContextProtocol.Client;

namespace TaskFlow.Routing.Upstreams;

/// <summary>One MCP session with an upstream server (for stdio: one supervised process), and its calls in flight.</summary>
/// <param name="progress">The session's transport, which hands each call its progress (see <see cref="ProgressTrackingTransport"/>).</param>
/// <param name="openedAt">When the session was established (a <see cref="TimeProvider"/> timestamp).</param>
internal sealed class UpstreamConnection(McpClient client, ProgressTrackingTransport progress, long openedAt) : IAsyncDisposable
{
    private int _broken;

    public McpClient Client { get; } = client;

    public ProgressTrackingTransport Progress { get; } = progress;

    /// <summary>The protocol revision the session negotiated.</summary>
    public string? ProtocolVersion => Client.NegotiatedProtocolVersion;

    public InFlightCalls Calls { get; } = new(openedAt);

    public int InFlight => Calls.Count;

    /// <summary>The session ended (the process exited, the stream closed, the HTTP session expired) or a call saw the transport fail.</summary>
    public bool IsBroken => Volatile.Read(ref _broken) == 1 || Client.Completion.IsCompleted;

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
