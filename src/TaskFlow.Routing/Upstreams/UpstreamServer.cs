using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Net;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using Polly;
using Polly.Retry;
using TaskFlow.Routing.Bulkheads;
using TaskFlow.Routing.CircuitBreaking;
using TaskFlow.Routing.Strategies;

namespace TaskFlow.Routing.Upstreams;

/// <summary>Whether a server has been started, and how it is doing.</summary>
public enum UpstreamState
{
    /// <summary>Not started yet (lazy servers start on first use).</summary>
    Idle,
    Ready,
    /// <summary>The last start or health check failed.</summary>
    Failing,
}

/// <summary>
/// One upstream server: its pool of connections, a circuit breaker, a rate limiter, a bulkhead
/// admitting calls by tier, and its cached tool list. The pool grows when calls wait on the
/// connections it has (up to the server's maximum and the router's total) and shrinks again when
/// connections sit idle. A connection whose session ends is dropped and replaced on the next
/// call, after a backoff that grows with consecutive start failures.
/// </summary>
/// <remarks>
/// Calls that belong to a downstream session (a client of the gateway) go to an upstream session
/// of their own when the server's protocol keeps state per session (every revision before
/// 2026-07-28): one downstream session never sees another's upstream state. Those pinned
/// connections count against the server's maximum and end with the downstream session.
/// </remarks>
internal sealed partial class UpstreamServer : IAsyncDisposable
{
    private readonly McpRoutingOptions _routing;
    private readonly ConnectionBudget _budget;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly List<UpstreamConnection> _connections = [];
    private readonly TaskFlow.Engine.Secrets.SecretStore? _secrets;
    private readonly IUpstreamSandbox? _sandbox;
    private readonly Func<IDownstreamRoots?>? _roots;

    // Downstream session -> its own upstream connection (still connecting while the task runs).
    // Whoever removes an entry returns its connection to the budget.
    private readonly Dictionary<string, Task<UpstreamConnection>> _pinned = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _connecting = new(1, 1);
    private readonly CancellationTokenSource _disposed = new();

    // Connections closed in the background (idle, broken, made room for), awaited by DisposeAsync:
    // a stdio server's process and workspace are gone when the router is.
    private readonly HashSet<Task> _closing = [];
    private IReadOnlyList<Tool>? _tools;
    private long _toolsFetchedAt;

    // The list a tools/list_changed made stale, kept for routing until the next listing, so the
    // tools this server shares with others do not move to them meanwhile.
    private IReadOnlyList<Tool>? _staleTools;

    // Bumped by every tools/list_changed; a listing that started under an older version is stale.
    private int _toolsVersion;
    private int _startFailures;
    private int _restarts;
    private long _connectionFailures;

    // The revision the last connection negotiated, asked for again by the next (see ConnectAsync).
    private string? _knownProtocol;
    private long _nextStartAllowedAt;

    /// <param name="isolatedFor">For an isolated rule's own instance of a server, the rule's pattern.</param>
    /// <param name="secrets">Resolves <c>{{ secrets.NAME }}</c> in the server's headers and environment at each connect.</param>
    public UpstreamServer(string name, UpstreamServerOptions options, McpRoutingOptions routing, CircuitBreakerSettings breaker, ConnectionBudget budget, ILoggerFactory loggers, TimeProvider time, string? isolatedFor = null, TaskFlow.Engine.Secrets.SecretStore? secrets = null, IUpstreamSandbox? sandbox = null, Func<IDownstreamRoots?>? roots = null)
    {
        _roots = roots;
        _secrets = secrets;
        _sandbox = sandbox;
        Name = name;
        IsolatedFor = isolatedFor;
        Options = options;
        _routing = routing;
        _budget = budget;
        _loggers = new SdkLogFilter(loggers);
        _logger = loggers.CreateLogger($"TaskFlow.Routing.Upstream.{name}");
        _time = time;
        Breaker = new CircuitBreaker(breaker.FailureThreshold, breaker.OpenDuration, breaker.HalfOpenRequests, time);
        Gate = new TierGate(options.MaxConnections * options.CallsPerConnection);
        // The bucket refills a tenth of the limit every 100 ms (where the limit divides by ten), not
        // the whole limit once a second: at the limit, a call waits about 100 ms at most for its
        // token rather than a second.
        var tenths = options.RateLimit % 10 == 0;
        RateLimiter = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = options.RateLimit,
            TokensPerPeriod = tenths ? options.RateLimit / 10 : options.RateLimit,
            ReplenishmentPeriod = tenths ? TimeSpan.FromMilliseconds(100) : TimeSpan.FromSeconds(1),
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        });
    }

    public string Name { get; }

    /// <summary>For an isolated rule's own instance of the server, the rule's pattern; null for the shared one.</summary>
    public string? IsolatedFor { get; }

    /// <summary>When <c>LastError</c> happened.</summary>
    public DateTimeOffset? LastErrorAt { get; private set; }

    /// <summary>Starts after the server's process or session was lost.</summary>
    public int Restarts => Volatile.Read(ref _restarts);

    /// <summary>Starts that failed and connections that were lost, since the router started.</summary>
    public long ConnectionFailures => Interlocked.Read(ref _connectionFailures);

    /// <summary>Whether the server answers: not failing its starts or health checks, and its breaker not open. A server not started yet counts as up.</summary>
    public bool IsUp => State != UpstreamState.Failing && Breaker.State != CircuitBreaking.CircuitState.Open;

    public UpstreamServerOptions Options { get; }

    public CircuitBreaker Breaker { get; }

    /// <summary>The bulkhead: calls in flight to this server, admitted by tier.</summary>
    public TierGate Gate { get; }

    public RateLimiter RateLimiter { get; }

    public UpstreamState State { get; private set; } = UpstreamState.Idle;

    public string? LastError { get; private set; }

    /// <summary>The protocol version the latest connection negotiated.</summary>
    public string? ProtocolVersion { get; private set; }

    /// <summary>The latest health check's round trip.</summary>
    public TimeSpan? LastLatency { get; private set; }

    public int ConnectionCount
    {
        get
        {
            lock (_lock)
            {
                return _connections.Count + _pinned.Count;
            }
        }
    }

    public int CallsInFlight
    {
        get
        {
            lock (_lock)
            {
                return _connections.Sum(c => c.InFlight) + _pinned.Values.Sum(p => p.IsCompletedSuccessfully ? p.Result.InFlight : 0);
            }
        }
    }

    /// <summary>Downstream sessions holding an upstream session of their own.</summary>
    public int PinnedSessions
    {
        get
        {
            lock (_lock)
            {
                return _pinned.Count;
            }
        }
    }

    /// <summary>The first protocol revision without sessions: a server on it or later needs no pinning.</summary>
    public const string StatelessProtocolVersion = "2026-07-28";

    /// <summary>Whether a server on this revision keeps state per session; unknown counts as yes.</summary>
    public static bool KeepsSessionState(string? protocolVersion) =>
        protocolVersion is null || string.CompareOrdinal(protocolVersion, StatelessProtocolVersion) < 0;

    /// <summary>Raised when the server says its tools changed, or a fresh listing differs.</summary>
    public event Action<UpstreamServer>? ToolsChanged;

    /// <summary>Calls a tool on one connection. Throws on transport failure (dropping the connection if the failure ended it, see <see cref="EndsConnection"/>); a tool error comes back as a result with IsError.</summary>
    /// <param name="session">The downstream session the call belongs to, if any (see the remarks on the class).</param>
    /// <param name="client">The gateway client the call came from, who answers the server's requests during it.</param>
    public async Task<CallToolResult> CallAsync(string tool, IDictionary<string, JsonElement>? arguments, IProgress<ModelContextProtocol.ProgressNotificationValue>? progress, string? session, CancellationToken cancellationToken, IDownstreamClient? client = null)
    {
        // A client that answers the server's requests gets a connection to itself for the call
        // (a session of its own already is one).
        var (connection, started, leased) = session is not null && Options.Session == UpstreamSessionMode.Pinned
            ? await WithoutLease(AcquirePinnedAsync(session, cancellationToken))
            : client is { CanSample: true } or { CanElicit: true }
                ? await AcquireForAsync(client, cancellationToken)
                : await WithoutLease(AcquireAsync(cancellationToken));
        using var tracked = progress is null ? default(ProgressTrackingTransport.Registration?) : connection.Progress.Track(progress);
        using var caller = connection.Callers.Enter(client);
        var oversize = IsHttp ? MessageSizeLimitHandler.Watch() : null;
        try
        {
            var request = new CallToolRequestParams
            {
                Name = tool,
                Arguments = arguments,
                Meta = Diagnostics.RoutingTracing.Inject(tracked is { } registration ? new JsonObject { ["progressToken"] = registration.Token } : null),
            };
            var result = await connection.Client.CallToolAsync(request, cancellationToken);

            // A server that answers is up, whatever the last health check met (over HTTP a failed
            // check no longer replaces the connection, which used to reset the state).
            if (State == UpstreamState.Failing)
            {
                State = UpstreamState.Ready;
            }

            return result;
        }
        catch (Exception ex) when (oversize?.Value is { } tooLarge && ex is not MessageTooLargeException && !cancellationToken.IsCancellationRequested)
        {
            throw new MessageTooLargeException(tooLarge.Limit, ex);
        }
        catch (Exception ex) when (IsTransportFailure(ex, cancellationToken) && EndsConnection(ex))
        {
            throw Lost(connection, ex);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && !IsHttp && !connection.IsBroken && Volatile.Read(ref _disposing) == 0)
        {
            ProbeInBackground(connection);
            throw;
        }
        finally
        {
            if (leased)
            {
                ReleaseLease(connection);
            }

            Release(connection, started);
        }
    }

    private static async Task<(UpstreamConnection Connection, long Started, bool Leased)> WithoutLease(Task<(UpstreamConnection Connection, long Started)> acquiring)
    {
        var (connection, started) = await acquiring;
        return (connection, started, false);
    }

    /// <summary>How long a connection whose call was given up has to answer a ping.</summary>
    internal static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(5);

    private int _probes;

    /// <summary>Connections checked after a call on them was given up (see <see cref="ProbeInBackground"/>), once each check has ended.</summary>
    public int Probes => Volatile.Read(ref _probes);

    /// <summary>
    /// A stdio call given up (timed out or cancelled) may have left the connection unusable: a
    /// server stuck on it stops answering anything. The connection is pinged; one that answers
    /// nothing within <see cref="ProbeTimeout"/> is taken out of use like a crashed one, and the
    /// server is started again, instead of every later call on it timing out too. Two pings go
    /// out: a server that stopped half-way through writing its answer glues the next answer to
    /// that half line, which is lost; the first ping's answer takes that place, the second's
    /// arrives whole, and the connection is good again.
    /// </summary>
    private void ProbeInBackground(UpstreamConnection connection) =>
        RunInBackground(ProbeAsync(connection), () => Interlocked.Increment(ref _probes));

    private async Task ProbeAsync(UpstreamConnection connection)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_disposed.Token);
        timeout.CancelAfter(ProbeTimeout);
        var pings = new[] { PingAsync(connection, timeout), PingAsync(connection, timeout) };
        var answered = (await Task.WhenAll(pings)).Any(ok => ok);
        if (!answered && !_disposed.IsCancellationRequested && !connection.IsClosing && !connection.IsBroken)
        {
            connection.GiveUp($"stopped answering: a call was given up, and a ping then got no answer within {ProbeTimeout.TotalSeconds:0.#} s");
            _ = Lost(connection, null);
            lock (_lock)
            {
                DropBrokenLocked();
            }
        }
    }

    /// <summary>Whether the connection answered a ping (an error answer counts: it still speaks); the first answer cancels the other ping.</summary>
    private static async Task<bool> PingAsync(UpstreamConnection connection, CancellationTokenSource timeout)
    {
        try
        {
            await connection.Client.PingAsync(cancellationToken: timeout.Token);
        }
        catch (ModelContextProtocol.McpProtocolException)
        {
        }
        catch (Exception)
        {
            return false;
        }

        await timeout.CancelAsync();
        return true;
    }

    /// <summary>
    /// Takes a connection a request found ended out of use. Every call in flight on it fails with
    /// it; only the first to see it (a call, or the watch on the session's end) reports the loss,
    /// so a crash counts once for the breaker and restarts the server once.
    /// </summary>
    private UpstreamConnectionLostException Lost(UpstreamConnection connection, Exception? failure)
    {
        connection.MarkBroken();
        if (connection.ClaimLoss())
        {
            OnConnectionLost(connection, failure);
        }

        return new UpstreamConnectionLostException(connection.DescribeLoss(failure), connection.Restarted, failure);
    }

    /// <summary>
    /// Whether a tool is safe to send again after a crash cut it off: listed in
    /// <see cref="UpstreamServerOptions.IdempotentTools"/> (or <c>*</c> is), or marked
    /// <c>idempotentHint</c> or <c>readOnlyHint</c> in the server's listing.
    /// </summary>
    public bool IsIdempotent(string tool)
    {
        foreach (var listed in Options.IdempotentTools)
        {
            if (listed == "*" || string.Equals(listed, tool, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return RoutableTools?.FirstOrDefault(t => string.Equals(t.Name, tool, StringComparison.Ordinal))?.Annotations is { } hints
            && (hints.IdempotentHint == true || hints.ReadOnlyHint == true);
    }

    private void RecordError(string error)
    {
        LastError = error;
        LastErrorAt = _time.GetUtcNow();
    }

    /// <summary>A health check: ping, or a tool listing for servers that do not answer ping. Starts the server if needed.</summary>
    public async Task<TimeSpan> CheckAsync(CancellationToken cancellationToken)
    {
        var (connection, started) = await AcquireAsync(cancellationToken);
        try
        {
            try
            {
                await connection.Client.PingAsync(cancellationToken: cancellationToken);
            }
            catch (ModelContextProtocol.McpProtocolException ex) when (ex.ErrorCode == ModelContextProtocol.McpErrorCode.MethodNotFound)
            {
                // Protocol versions without ping: a listing is the cheapest request left.
                await connection.Client.ListToolsAsync(cancellationToken: cancellationToken);
            }

            var latency = _time.GetElapsedTime(started);
            LastLatency = latency;
            State = UpstreamState.Ready;
            return latency;
        }
        catch (Exception ex) when (IsTransportFailure(ex, cancellationToken))
        {
            if (EndsConnection(ex))
            {
                _ = Lost(connection, ex);
            }

            State = UpstreamState.Failing;
            RecordError(ex.Message);
            throw;
        }
        finally
        {
            Release(connection, started);
        }
    }

    private int _disposing;

    /// <summary>Closes a connection taken out of the pool without waiting for it; DisposeAsync waits for it.</summary>
    private void CloseInBackground(UpstreamConnection connection) => RunInBackground(CloseQuietlyAsync(connection));

    /// <summary>Keeps <paramref name="work"/> among the background tasks DisposeAsync waits for, until it ends; then runs <paramref name="ended"/>.</summary>
    private void RunInBackground(Task work, Action? ended = null)
    {
        lock (_lock)
        {
            _closing.Add(work);
        }

        _ = work.ContinueWith(
            done =>
            {
                lock (_lock)
                {
                    _closing.Remove(done);
                }

                ended?.Invoke();
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private static async Task CloseQuietlyAsync(UpstreamConnection connection)
    {
        try
        {
            await connection.DisposeAsync();
        }
        catch (Exception)
        {
            // Closing is best effort: the process group is signalled and the workspace cleanup
            // reclaims what is left.
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposing, 1) == 1)
        {
            return;
        }

        await _disposed.CancelAsync();

        // A start under way ends (cancelled, or connected and closed below) before the pool is
        // emptied; it holds the one start slot while it runs.
        var started = await _connecting.WaitAsync(_routing.ConnectTimeout + TimeSpan.FromSeconds(5));
        UpstreamConnection[] all;
        Task<UpstreamConnection>[] pins;
        lock (_lock)
        {
            all = [.. _connections];
            _connections.Clear();
            pins = [.. _pinned.Values];
            _pinned.Clear();
        }

        // All at once: each stdio connection is a process group given about a second to go.
        await Task.WhenAll(all.Select(async connection =>
        {
            _budget.Return();
            await connection.DisposeAsync();
        }).Concat(pins.Select(ClosePinAsync)));

        Task[] closing;
        lock (_lock)
        {
            closing = [.. _closing];
        }

        await Task.WhenAll(closing);
        if (started)
        {
            _connecting.Release();
        }

        RateLimiter.Dispose();
        _disposed.Dispose();
        _connecting.Dispose();
    }

    /// <summary>
    /// A failure of the server or the link to it, as opposed to the caller giving up or the server
    /// answering with an error (which means it is alive).
    /// </summary>
    internal static bool IsTransportFailure(Exception exception, CancellationToken callerToken) =>
        exception is not ModelContextProtocol.McpProtocolException && !(exception is OperationCanceledException && callerToken.IsCancellationRequested);

    /// <summary>
    /// Whether a transport failure ended the connection, so that it takes no more calls. Over
    /// stdio it did: the process or its pipes failed. Over Streamable HTTP every request is a POST
    /// of its own, and one that fails (a 5xx from the server or a proxy, a connection reset) fails
    /// that call only, while the session and the other calls on it carry on. The session is gone
    /// when the server answers 404 to its session id; the SDK then completes the client, which
    /// <see cref="UpstreamConnection.IsBroken"/> sees as well.
    /// </summary>
    private bool EndsConnection(Exception exception) =>
        !IsHttp || exception is HttpRequestException { StatusCode: HttpStatusCode.NotFound };

    private bool IsHttp => string.Equals(Options.Transport, "http", StringComparison.OrdinalIgnoreCase);
}
