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
using TaskFlow.Routing.Resilience;

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

    // Downstream session -> its own upstream connection (still connecting while the task runs).
    // Whoever removes an entry returns its connection to the budget.
    private readonly Dictionary<string, Task<UpstreamConnection>> _pinned = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _connecting = new(1, 1);
    private readonly CancellationTokenSource _disposed = new();
    private IReadOnlyList<Tool>? _tools;
    private long _toolsFetchedAt;

    // The list a tools/list_changed made stale, kept for routing until the next listing, so the
    // tools this server shares with others do not move to them meanwhile.
    private IReadOnlyList<Tool>? _staleTools;

    // Bumped by every tools/list_changed; a listing that started under an older version is stale.
    private int _toolsVersion;
    private int _startFailures;
    private long _nextStartAllowedAt;

    public UpstreamServer(string name, UpstreamServerOptions options, McpRoutingOptions routing, CircuitBreakerSettings breaker, ConnectionBudget budget, ILoggerFactory loggers, TimeProvider time)
    {
        Name = name;
        Options = options;
        _routing = routing;
        _budget = budget;
        _loggers = loggers;
        _logger = loggers.CreateLogger($"TaskFlow.Routing.Upstream.{name}");
        _time = time;
        Breaker = new CircuitBreaker(breaker.FailureThreshold, breaker.OpenDuration, breaker.HalfOpenRequests, time);
        Gate = new TierGate(options.MaxConnections * options.CallsPerConnection);
        RateLimiter = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = options.RateLimit,
            TokensPerPeriod = options.RateLimit,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        });
    }

    public string Name { get; }

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

    /// <summary>The cached tool list, or null when it was never fetched or has expired.</summary>
    public IReadOnlyList<Tool>? CachedTools =>
        _tools is { } tools && _time.GetElapsedTime(_toolsFetchedAt) < _routing.ToolCacheTtl ? tools : null;

    /// <summary>The tools to route by: the cached list, else the last one while a <c>tools/list_changed</c> waits for a new listing; null when unknown.</summary>
    public IReadOnlyList<Tool>? RoutableTools => CachedTools ?? _staleTools;

    /// <summary>The tool list, from the cache or fetched (starting the server if need be).</summary>
    public async Task<IReadOnlyList<Tool>> GetToolsAsync(CancellationToken cancellationToken)
    {
        // A tools/list_changed notification that arrives while a listing is in flight makes that
        // listing stale: it is never cached (it would hide the change for ToolCacheTtl) and is
        // fetched again, a few times at most for a server whose tools keep changing.
        const int attempts = 3;
        for (var attempt = 1; ; attempt++)
        {
            if (CachedTools is { } cached)
            {
                return cached;
            }

            var version = Volatile.Read(ref _toolsVersion);
            var tools = await FetchToolsAsync(cancellationToken);
            bool changed;
            lock (_lock)
            {
                if (version != _toolsVersion)
                {
                    if (attempt < attempts)
                    {
                        continue;
                    }

                    return tools;
                }

                changed = (_tools ?? _staleTools) is { } old && !old.Select(t => t.Name).SequenceEqual(tools.Select(t => t.Name), StringComparer.Ordinal);
                _tools = tools;
                _staleTools = null;
                _toolsFetchedAt = _time.GetTimestamp();
            }

            if (changed)
            {
                ToolsChanged?.Invoke(this);
            }

            return tools;
        }
    }

    private async Task<List<Tool>> FetchToolsAsync(CancellationToken cancellationToken)
    {
        var (connection, started) = await AcquireAsync(cancellationToken);
        try
        {
            var tools = new List<Tool>();
            string? cursor = null;
            do
            {
                var page = await connection.Client.ListToolsAsync(new ListToolsRequestParams { Cursor = cursor }, cancellationToken);
                tools.AddRange(page.Tools);
                cursor = page.NextCursor;
            }
            while (cursor is not null);

            return tools;
        }
        catch (Exception ex) when (IsTransportFailure(ex, cancellationToken) && EndsConnection(ex))
        {
            connection.MarkBroken();
            throw;
        }
        finally
        {
            Release(connection, started);
        }
    }

    /// <summary>Calls a tool on one connection. Throws on transport failure (dropping the connection if the failure ended it, see <see cref="EndsConnection"/>); a tool error comes back as a result with IsError.</summary>
    /// <param name="session">The downstream session the call belongs to, if any (see the remarks on the class).</param>
    public async Task<CallToolResult> CallAsync(string tool, IDictionary<string, JsonElement>? arguments, IProgress<ModelContextProtocol.ProgressNotificationValue>? progress, string? session, CancellationToken cancellationToken)
    {
        var (connection, started) = session is null ? await AcquireAsync(cancellationToken) : await AcquirePinnedAsync(session, cancellationToken);
        using var tracked = progress is null ? default(ProgressTrackingTransport.Registration?) : connection.Progress.Track(progress);
        try
        {
            var request = new CallToolRequestParams
            {
                Name = tool,
                Arguments = arguments,
                Meta = tracked is { } registration ? new JsonObject { ["progressToken"] = registration.Token } : null,
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
        catch (Exception ex) when (IsTransportFailure(ex, cancellationToken) && EndsConnection(ex))
        {
            connection.MarkBroken();
            throw;
        }
        finally
        {
            Release(connection, started);
        }
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
                connection.MarkBroken();
            }

            State = UpstreamState.Failing;
            LastError = ex.Message;
            throw;
        }
        finally
        {
            Release(connection, started);
        }
    }

    /// <summary>Drops the cached tool list (a <c>tools/list_changed</c> notification arrived).</summary>
    public void InvalidateTools()
    {
        lock (_lock)
        {
            _toolsVersion++;
            _staleTools = _tools ?? _staleTools;
            _tools = null;
        }

        ToolsChanged?.Invoke(this);
    }

    private int _disposing;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposing, 1) == 1)
        {
            return;
        }

        await _disposed.CancelAsync();
        UpstreamConnection[] all;
        Task<UpstreamConnection>[] pins;
        lock (_lock)
        {
            all = [.. _connections];
            _connections.Clear();
            pins = [.. _pinned.Values];
            _pinned.Clear();
        }

        foreach (var connection in all)
        {
            _budget.Return();
            await connection.DisposeAsync();
        }

        foreach (var pin in pins)
        {
            await ClosePinAsync(pin);
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

    /// <summary>A connection for one call from the shared pool, and the call's start to hand back to <see cref="Release"/>.</summary>
    private async Task<(UpstreamConnection Connection, long Started)> AcquireAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            UpstreamConnection? best;
            lock (_lock)
            {
                var now = _time.GetTimestamp();
                DropBrokenLocked();
                CloseIdleLocked(now);
                best = LeastBusyLocked();
                if (best is not null && !ShouldGrowLocked(best, now))
                {
                    return (best, EnterLocked(best));
                }
            }

            // Grow the pool: one start at a time per server; a caller that finds a connection
            // appeared while it waited uses that one.
            if (!await _connecting.WaitAsync(best is null ? Timeout.InfiniteTimeSpan : TimeSpan.Zero, cancellationToken))
            {
                if (best is not null)
                {
                    lock (_lock)
                    {
                        if (!best.IsBroken)
                        {
                            return (best, EnterLocked(best));
                        }
                    }
                }

                continue;
            }

            try
            {
                lock (_lock)
                {
                    var existing = LeastBusyLocked();
                    if (existing is not null && !ShouldGrowLocked(existing, _time.GetTimestamp()))
                    {
                        return (existing, EnterLocked(existing));
                    }

                    if (existing is null && LiveCountLocked() >= Options.MaxConnections)
                    {
                        throw new McpRoutingException(
                            $"Server '{Name}' has all {Options.MaxConnections} connections held by downstream sessions of their own (protocol {ProtocolVersion ?? "unknown"} keeps state per session), so a call without a session has none. Raise MaxConnections or end idle sessions.");
                    }
                }

                if (!_budget.TryTake())
                {
                    if (best is not null)
                    {
                        lock (_lock)
                        {
                            return (best, EnterLocked(best));
                        }
                    }

                    throw new McpRoutingException($"Server '{Name}' cannot open a connection: the router's {_routing.MaxTotalConnections} connections are all in use.");
                }

                UpstreamConnection created;
                try
                {
                    created = await ConnectAsync(cancellationToken);
                }
                catch
                {
                    _budget.Return();
                    throw;
                }

                lock (_lock)
                {
                    _connections.Add(created);
                    return (created, EnterLocked(created));
                }
            }
            finally
            {
                _connecting.Release();
            }
        }
    }

    /// <summary>
    /// The live connection a call should join: the fewest calls in flight and, among busy equals,
    /// the one whose oldest call is youngest (its calls wait least). Among idle ones the first, so
    /// light traffic keeps to one connection and the others can idle out. Null when there is none.
    /// </summary>
    private UpstreamConnection? LeastBusyLocked()
    {
        UpstreamConnection? best = null;
        foreach (var connection in _connections)
        {
            // A broken connection still finishing its calls takes no new ones.
            if (connection.IsBroken)
            {
                continue;
            }

            if (best is null
                || connection.InFlight < best.InFlight
                || (connection.InFlight == best.InFlight && connection.InFlight > 0 && connection.Calls.OldestStart > best.Calls.OldestStart))
            {
                best = connection;
            }
        }

        return best;
    }

    /// <summary>
    /// Whether a call should open another connection rather than join <paramref name="best"/>:
    /// only while calls wait there, that is when even the least busy connection has
    /// <see cref="UpstreamServerOptions.CallsPerConnection"/> calls in flight and its oldest call has
    /// been outstanding for <see cref="UpstreamServerOptions.GrowAfter"/>. One JSON-RPC connection
    /// carries many calls at once: a server that answers quickly serves more calls over one
    /// connection than over several (each stdio connection is a process of its own competing for
    /// the same cores), so the number of calls in flight alone is no reason to grow.
    /// </summary>
    private bool ShouldGrowLocked(UpstreamConnection? best, long now) =>
        LiveCountLocked() < Options.MaxConnections
        && (best is null
            || (best.InFlight >= Options.CallsPerConnection && _time.GetElapsedTime(best.Calls.OldestStart, now) >= Options.GrowAfter));

    /// <summary>
    /// Connections that count against <see cref="UpstreamServerOptions.MaxConnections"/>: the pooled
    /// ones that still take calls, and every downstream session's own. A broken connection still
    /// finishing its calls does not count, so it can be replaced at once.
    /// </summary>
    private int LiveCountLocked() => _pinned.Count + PooledLiveCountLocked();

    /// <summary>Pooled connections that still take calls.</summary>
    private int PooledLiveCountLocked()
    {
        var live = 0;
        foreach (var connection in _connections)
        {
            if (!connection.IsBroken)
            {
                live++;
            }
        }

        return live;
    }

    /// <summary>
    /// Closes pooled connections without a call for <see cref="UpstreamServerOptions.IdleTimeout"/>,
    /// the newest first, keeping one: a pool grown for a burst of slow calls shrinks back once the
    /// burst is over. Calls join a connection only under the lock, so one found idle here stays idle.
    /// </summary>
    private void CloseIdleLocked(long now)
    {
        if (_connections.Count < 2)
        {
            return;
        }

        var live = PooledLiveCountLocked();
        for (var i = _connections.Count - 1; i >= 0 && live > 1; i--)
        {
            var connection = _connections[i];
            if (connection.IsBroken || connection.InFlight > 0)
            {
                continue;
            }

            var idle = _time.GetElapsedTime(connection.Calls.LastFinished, now);
            if (idle >= Options.IdleTimeout)
            {
                _connections.RemoveAt(i);
                live--;
                _budget.Return();
                ClosedIdle(_logger, Name, idle.TotalSeconds, live);
                _ = connection.DisposeAsync().AsTask();
            }
        }
    }

    /// <summary>Counts a call on <paramref name="connection"/>; under the lock, so that <see cref="CloseIdleLocked"/> and <see cref="MakeRoomLocked"/> never close a connection a call is joining.</summary>
    private long EnterLocked(UpstreamConnection connection)
    {
        var now = _time.GetTimestamp();
        connection.Calls.Enter(now);
        return now;
    }

    private void Release(UpstreamConnection connection, long started) => connection.Calls.Exit(started, _time.GetTimestamp());

    /// <summary>Ends a downstream session's own upstream session, if it has one.</summary>
    public Task EndSessionAsync(string session)
    {
        Task<UpstreamConnection>? pin;
        lock (_lock)
        {
            if (!_pinned.Remove(session, out pin))
            {
                return Task.CompletedTask;
            }
        }

        return ClosePinAsync(pin);
    }

    private async Task<(UpstreamConnection Connection, long Started)> AcquirePinnedAsync(string session, CancellationToken cancellationToken)
    {
        while (true)
        {
            // A server known to keep no session state shares its pool among everyone.
            if (!KeepsSessionState(ProtocolVersion))
            {
                return await AcquireAsync(cancellationToken);
            }

            Task<UpstreamConnection> pin;
            lock (_lock)
            {
                if (_pinned.TryGetValue(session, out var existing) && existing.IsCompletedSuccessfully && existing.Result.IsBroken)
                {
                    // The upstream session ended (the process crashed): its state is gone, and the
                    // downstream session carries on with a new one.
                    _pinned.Remove(session);
                    _ = ClosePinAsync(existing);
                    PinnedSessionLost(_logger, Name, session);
                    existing = null;
                }

                if (existing is null)
                {
                    MakeRoomLocked(session);
                    if (!_budget.TryTake())
                    {
                        throw new McpRoutingException($"Server '{Name}' cannot open a session for downstream session '{session}': the router's {_routing.MaxTotalConnections} connections are all in use.");
                    }

                    var connecting = new TaskCompletionSource<UpstreamConnection>(TaskCreationOptions.RunContinuationsAsynchronously);
                    existing = connecting.Task;
                    _pinned[session] = existing;
                    _ = ConnectPinnedAsync(session, connecting);
                }

                pin = existing;
            }

            var connection = await pin.WaitAsync(cancellationToken);
            lock (_lock)
            {
                if (!KeepsSessionState(connection.ProtocolVersion) && _pinned.TryGetValue(session, out var current) && current == pin)
                {
                    // The server turned out to be stateless: its connection joins the pool.
                    _pinned.Remove(session);
                    _connections.Add(connection);
                }

                if (!connection.IsBroken)
                {
                    return (connection, EnterLocked(connection));
                }
            }
        }
    }

    /// <summary>Frees a slot for a new pinned connection: closes an idle pooled one when the server is at its maximum, or refuses.</summary>
    private void MakeRoomLocked(string session)
    {
        DropBrokenLocked();
        if (_connections.Count + _pinned.Count < Options.MaxConnections)
        {
            return;
        }

        var idle = _connections.FirstOrDefault(c => c.InFlight == 0);
        if (idle is null)
        {
            throw new McpRoutingException($"Server '{Name}' has all {Options.MaxConnections} connections in use, so downstream session '{session}' cannot get an upstream session of its own (protocol {ProtocolVersion ?? "unknown"} keeps state per session). Raise MaxConnections or end idle sessions.");
        }

        _connections.Remove(idle);
        _budget.Return();
        _ = idle.DisposeAsync().AsTask();
    }

    /// <summary>Connects on behalf of every call of the session waiting on <paramref name="connecting"/> (not on one caller's token).</summary>
    private async Task ConnectPinnedAsync(string session, TaskCompletionSource<UpstreamConnection> connecting)
    {
        try
        {
            connecting.SetResult(await ConnectAsync(_disposed.Token));
        }
        catch (Exception ex)
        {
            lock (_lock)
            {
                if (_pinned.TryGetValue(session, out var current) && current == connecting.Task)
                {
                    _pinned.Remove(session);
                    _budget.Return();
                }
            }

            connecting.SetException(ex);
        }
    }

    /// <summary>Closes a pinned connection taken out of the map (now or once it has connected) and returns its budget.</summary>
    private async Task ClosePinAsync(Task<UpstreamConnection> pin)
    {
        try
        {
            var connection = await pin;
            await connection.DisposeAsync();
            _budget.Return();
        }
        catch (Exception)
        {
            // It never connected; the failed start returned nothing to the budget, as it was no
            // longer in the map.
            _budget.Return();
        }
    }

    private void DropBrokenLocked()
    {
        for (var i = _connections.Count - 1; i >= 0; i--)
        {
            var connection = _connections[i];
            if (connection.IsBroken && connection.InFlight == 0)
            {
                _connections.RemoveAt(i);
                _budget.Return();
                _ = connection.DisposeAsync().AsTask();
            }
        }
    }

    private async Task<UpstreamConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        // A server that keeps failing to start is restarted with a growing pause (up to 30 s),
        // so a crash loop does not spin; its breaker usually stops callers before that.
        var due = Volatile.Read(ref _nextStartAllowedAt);
        var wait = due == 0 ? TimeSpan.Zero : TimeSpan.FromSeconds((due - _time.GetTimestamp()) / (double)_time.TimestampFrequency);
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, _time, cancellationToken);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposed.Token);
        timeout.CancelAfter(_routing.ConnectTimeout);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var clientOptions = new McpClientOptions
            {
                ClientInfo = new Implementation { Name = "taskflow-router", Version = typeof(UpstreamServer).Assembly.GetName().Version?.ToString() ?? "1.0" },
                InitializationTimeout = _routing.ConnectTimeout,

                // The 2026-07-28 probe falls back to the initialize handshake after this long. The
                // SDK's 5 s is shorter than a .NET server's start on a busy machine, which would
                // then be reached on an older revision for no reason; half the connect timeout
                // still leaves the handshake time to answer.
                DiscoverProbeTimeout = _routing.ConnectTimeout / 2,
            };
            var transport = new ProgressTrackingTransport(CreateTransport());
            var client = await ConnectRetry.ExecuteAsync(async token => await McpClient.CreateAsync(transport, clientOptions, _loggers, token), timeout.Token);
            client.RegisterNotificationHandler(NotificationMethods.ToolListChangedNotification, (_, _) =>
            {
                InvalidateTools();
                return ValueTask.CompletedTask;
            });
            _startFailures = 0;
            Volatile.Write(ref _nextStartAllowedAt, 0);
            State = UpstreamState.Ready;
            LastError = null;
            ProtocolVersion = client.NegotiatedProtocolVersion;
            Connected(_logger, Name, ProtocolVersion, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return new UpstreamConnection(client, transport, _time.GetTimestamp());
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            var failures = Interlocked.Increment(ref _startFailures);
            var backoff = TimeSpan.FromMilliseconds(Math.Min(30_000, 250 * Math.Pow(2, Math.Min(failures - 1, 10))));
            Volatile.Write(ref _nextStartAllowedAt, _time.GetTimestamp() + (long)(backoff.TotalSeconds * _time.TimestampFrequency));
            State = UpstreamState.Failing;
            LastError = ex.Message;
            StartFailed(_logger, ex, Name, failures, backoff.TotalMilliseconds);
            throw new McpRoutingException($"Server '{Name}' could not be started: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Starting a session is safe to retry (no tool call has been sent): two more tries, 200 ms
    /// then 400 ms apart, cover a process that was slow to come up or an HTTP server restarting.
    /// </summary>
    private static readonly ResiliencePipeline ConnectRetry = new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            MaxRetryAttempts = 2,
            Delay = TimeSpan.FromMilliseconds(200),
            BackoffType = DelayBackoffType.Exponential,
            ShouldHandle = new PredicateBuilder().Handle<Exception>(ex => ex is not OperationCanceledException),
        })
        .Build();

    private IClientTransport CreateTransport()
    {
        if (string.Equals(Options.Transport, "http", StringComparison.OrdinalIgnoreCase))
        {
            return new HttpClientTransport(new HttpClientTransportOptions
            {
                Name = Name,
                Endpoint = new Uri(Options.Url!),
                TransportMode = HttpTransportMode.StreamableHttp,
                AdditionalHeaders = Options.Headers,
                ConnectionTimeout = _routing.ConnectTimeout,
            }, _loggers);
        }

        return new StdioClientTransport(new StdioClientTransportOptions
        {
            Name = Name,
            Command = Options.Command!,
            Arguments = Options.Arguments,
            WorkingDirectory = Options.WorkingDirectory,
            EnvironmentVariables = Options.Environment.ToDictionary(p => p.Key, p => (string?)p.Value, StringComparer.Ordinal),
            ShutdownTimeout = TimeSpan.FromSeconds(2),
        }, _loggers);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "MCP server {Server} connected (protocol {Protocol}) in {Milliseconds:0} ms")]
    private static partial void Connected(ILogger logger, string server, string? protocol, double milliseconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "MCP server {Server}: closed a connection idle for {Seconds:0} s; {Connections} left")]
    private static partial void ClosedIdle(ILogger logger, string server, double seconds, int connections);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MCP server {Server} lost the upstream session of downstream session {Session}; the next call opens a new one")]
    private static partial void PinnedSessionLost(ILogger logger, string server, string session);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MCP server {Server} failed to start ({Failures} in a row); next start in {Backoff:0} ms")]
    private static partial void StartFailed(ILogger logger, Exception exception, string server, int failures, double backoff);
}

/// <summary>The router's total connections (the report's 200), shared by every server.</summary>
internal sealed class ConnectionBudget(int total)
{
    private int _left = total;

    public int Total { get; } = total;

    public int InUse => Total - Volatile.Read(ref _left);

    public bool TryTake()
    {
        while (true)
        {
            var left = Volatile.Read(ref _left);
            if (left <= 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _left, left - 1, left) == left)
            {
                return true;
            }
        }
    }

    public void Return() => Interlocked.Increment(ref _left);
}
