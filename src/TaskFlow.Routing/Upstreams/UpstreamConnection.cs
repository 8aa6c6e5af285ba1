using ModelContextProtocol.Client;

namespace TaskFlow.Routing.Upstreams;

/// <summary>One MCP session with an upstream server (for stdio: one supervised process group), and its calls in flight.</summary>
/// <param name="progress">The session's transport, which hands each call its progress (see <see cref="ProgressTrackingTransport"/>).</param>
/// <param name="openedAt">When the session was established (a <see cref="TimeProvider"/> timestamp).</param>
/// <param name="process">The server's process, for a stdio server.</param>
internal sealed class UpstreamConnection(McpClient client, ProgressTrackingTransport progress, long openedAt, ProcessGroupStdioTransport? process = null) : IAsyncDisposable
{
    private int _broken;

    public McpClient Client { get; } = client;

    public ProgressTrackingTransport Progress { get; } = progress;

    /// <summary>The protocol revision the session negotiated.</summary>
    public string? ProtocolVersion => Client.NegotiatedProtocolVersion;

    public InFlightCalls Calls { get; } = new(openedAt);

    public int InFlight => Calls.Count;

    /// <summary>Whether the connection belongs to one downstream session (not the shared pool).</summary>
    public bool IsPinned { get; set; }

    /// <summary>The session ended (the process exited, the stream closed, the HTTP session expired) or a call saw the transport fail.</summary>
    public bool IsBroken => Volatile.Read(ref _broken) == 1 || Client.Completion.IsCompleted;

    /// <summary>Marks the connection as taking no more calls; true for the first caller only.</summary>
    public bool MarkBroken() => Interlocked.Exchange(ref _broken, 1) == 0;

    /// <summary>Why the connection was lost, in a user's words: a process's exit code and last error line, else the exception's message.</summary>
    public string DescribeLoss(Exception exception) =>
        process?.DescribeExit() ?? $"{exception.GetType().Name}: {exception.Message}";

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
