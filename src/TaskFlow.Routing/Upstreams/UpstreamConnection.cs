using ModelContextProtocol.Client;

namespace TaskFlow.Routing.Upstreams;

/// <summary>One MCP session with an upstream server (for stdio: one supervised process group), and its calls in flight.</summary>
/// <param name="progress">The session's transport, which hands each call its progress (see <see cref="ProgressTrackingTransport"/>).</param>
/// <param name="callers">The clients of the calls in flight (see <see cref="DownstreamCallers"/>).</param>
/// <param name="openedAt">When the session was established (a <see cref="TimeProvider"/> timestamp).</param>
/// <param name="process">The server's process, for a stdio server.</param>
internal sealed class UpstreamConnection(McpClient client, ProgressTrackingTransport progress, DownstreamCallers callers, long openedAt, ProcessGroupStdioTransport? process = null) : IAsyncDisposable
{
    private int _broken;
    private int _lossClaimed;
    private int _closing;
    private readonly TaskCompletionSource _restarted = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public McpClient Client { get; } = client;

    public ProgressTrackingTransport Progress { get; } = progress;

    /// <summary>The protocol revision the session negotiated.</summary>
    public string? ProtocolVersion => Client.NegotiatedProtocolVersion;

    public InFlightCalls Calls { get; } = new(openedAt);

    /// <summary>The clients of the tool calls in flight, who answer the server's requests during them.</summary>
    public DownstreamCallers Callers { get; } = callers;

    public int InFlight => Calls.Count;

    /// <summary>
    /// The client whose calls have this connection to themselves while they run (see
    /// <c>UpstreamServer.AcquireForAsync</c>); null when it is shared. Read and written under the server's lock.
    /// </summary>
    public string? LeasedBy { get; set; }

    /// <summary>The lease holder's calls in flight here. Under the server's lock.</summary>
    public int LeaseCalls { get; set; }

    private int _heldTasks;

    /// <summary>Whether tasks the server made on this session are still wanted: it is then not closed for being idle.</summary>
    public bool HoldsTasks => Volatile.Read(ref _heldTasks) > 0;

    /// <summary>Counts a task the server made on this session (its state lives in this process of the server).</summary>
    public void HoldTask() => Interlocked.Increment(ref _heldTasks);

    /// <summary>Lets go of a task: its result was fetched, it was cancelled, it expired, or its client went away.</summary>
    public void ReleaseTask() => Interlocked.Decrement(ref _heldTasks);

    /// <summary>Whether the connection belongs to one downstream session (not the shared pool).</summary>
    public bool IsPinned { get; set; }

    /// <summary>The session ended (the process exited, the stream closed, the HTTP session expired) or a call saw the transport fail.</summary>
    public bool IsBroken => Volatile.Read(ref _broken) == 1 || Client.Completion.IsCompleted;

    /// <summary>Marks the connection as taking no more calls.</summary>
    public void MarkBroken() => Volatile.Write(ref _broken, 1);

    private volatile string? _givenUp;

    /// <summary>
    /// Marks the connection as taking no more calls because the router gave up on a process that
    /// still runs; the reason stays the reason, whatever the process's exit says once it is stopped.
    /// </summary>
    public void GiveUp(string reason)
    {
        _givenUp = reason;
        MarkBroken();
    }

    /// <summary>
    /// True for the first to report the connection lost (a failing call, or the watch on the
    /// session's end), so a crash is reported, counted and restarted once.
    /// </summary>
    public bool ClaimLoss() => Interlocked.Exchange(ref _lossClaimed, 1) == 0;

    /// <summary>Completes when the start that replaced this connection after its loss has ended (well or not).</summary>
    public Task Restarted => _restarted.Task;

    /// <summary>Marks the replacement start as ended.</summary>
    public void RestartEnded() => _restarted.TrySetResult();

    /// <summary>Whether the router itself is closing the connection (an idle one, or at shutdown): its end is no loss.</summary>
    public bool IsClosing => Volatile.Read(ref _closing) == 1;

    /// <summary>Why the connection was lost, in a user's words: a process's exit code and last error line, else the exception's message.</summary>
    public string DescribeLoss(Exception? exception) =>
        _givenUp
        ?? process?.DescribeOversize()
        ?? process?.DescribeExit()
        ?? (exception is null ? "the session ended" : FailureText.Of(exception));

    /// <summary>For a stdio server: waits, at most <paramref name="within"/>, for its process to exit, so that its exit code can be told.</summary>
    public Task WaitForExitAsync(TimeSpan within) => process?.WaitForExitAsync(within) ?? Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        Volatile.Write(ref _closing, 1);
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
