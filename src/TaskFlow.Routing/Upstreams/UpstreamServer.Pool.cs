using Microsoft.Extensions.Logging;

namespace TaskFlow.Routing.Upstreams;

internal sealed partial class UpstreamServer
{
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

                    if (existing is null && LiveCountLocked() >= Options.MaxConnections && LeastBusyLocked(allowLeased: true) is { } leased)
                    {
                        // Every connection is some client's to itself and the pool is full: share one
                        // (a request the server sends back then finds several callers, and is refused).
                        return (leased, EnterLocked(leased));
                    }

                    if (existing is null && LiveCountLocked() >= Options.MaxConnections)
                    {
                        throw new McpRoutingException(
                            $"Server '{Name}' has all {Options.MaxConnections} connections held by downstream sessions of their own (protocol {ProtocolVersion ?? "unknown"} keeps state per session), so a call without a session has none. Raise MaxConnections or end idle sessions.");
                    }
                }

                if (!_budget.TryTake())
                {
                    lock (_lock)
                    {
                        if ((best is { IsBroken: false } ? best : LeastBusyLocked(allowLeased: true)) is { } fallback)
                        {
                            return (fallback, EnterLocked(fallback));
                        }
                    }

                    throw new McpRoutingException($"Server '{Name}' cannot open a connection: the router's {_routing.MaxTotalConnections} connections are all in use.");
                }

                var created = await ConnectTakenAsync(cancellationToken);
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
    /// A connection for a call from a client that answers the server's requests (sampling,
    /// elicitation): one that no other client's call is on while this one runs, an idle one or a new
    /// one, so a request the server sends during the call can only be this client's, and reaches it.
    /// When the pool is at <see cref="UpstreamServerOptions.MaxConnections"/> with none free, the call
    /// shares a connection as any call does (and such a request is then forwarded only while this
    /// client's calls are the only ones there). <c>Leased</c> says which; release a lease with <see cref="ReleaseLease"/>.
    /// </summary>
    private async Task<(UpstreamConnection Connection, long Started, bool Leased)> AcquireForAsync(IDownstreamClient client, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            DropBrokenLocked();
            if (FreeForLocked(client.Id) is { } free)
            {
                return (free, LeaseLocked(free, client.Id), true);
            }
        }

        await _connecting.WaitAsync(cancellationToken);
        try
        {
            lock (_lock)
            {
                if (FreeForLocked(client.Id) is { } free)
                {
                    return (free, LeaseLocked(free, client.Id), true);
                }
            }

            if (LiveCount() < Options.MaxConnections && _budget.TryTake())
            {
                var created = await ConnectTakenAsync(cancellationToken);
                lock (_lock)
                {
                    _connections.Add(created);
                    return (created, LeaseLocked(created, client.Id), true);
                }
            }
        }
        finally
        {
            _connecting.Release();
        }

        var (shared, started) = await AcquireAsync(cancellationToken);
        return (shared, started, false);
    }

    /// <summary>Connects a new pooled connection on the budget already taken for it; gives the budget back when it fails.</summary>
    private async Task<UpstreamConnection> ConnectTakenAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await ConnectAsync(cancellationToken);
        }
        catch
        {
            _budget.Return();
            throw;
        }
    }

    /// <summary>A live pooled connection this client may have to itself: one it already has, else an idle one nobody has.</summary>
    private UpstreamConnection? FreeForLocked(string client) =>
        _connections.FirstOrDefault(c => !c.IsBroken && c.LeasedBy == client)
        ?? _connections.FirstOrDefault(c => !c.IsBroken && c.LeasedBy is null && c.InFlight == 0);

    private long LeaseLocked(UpstreamConnection connection, string client)
    {
        connection.LeasedBy = client;
        connection.LeaseCalls++;
        return EnterLocked(connection);
    }

    /// <summary>Ends a call's part of its client's lease; the connection is shared again when the client's last call there ends.</summary>
    private void ReleaseLease(UpstreamConnection connection)
    {
        lock (_lock)
        {
            if (--connection.LeaseCalls <= 0)
            {
                connection.LeaseCalls = 0;
                connection.LeasedBy = null;
            }
        }
    }

    private int LiveCount()
    {
        lock (_lock)
        {
            return LiveCountLocked();
        }
    }

    /// <summary>
    /// The live connection a call should join: the fewest calls in flight and, among busy equals,
    /// the one whose oldest call is youngest (its calls wait least). Among idle ones the first, so
    /// light traffic keeps to one connection and the others can idle out. Null when there is none.
    /// </summary>
    private UpstreamConnection? LeastBusyLocked(bool allowLeased = false)
    {
        UpstreamConnection? best = null;
        foreach (var connection in _connections)
        {
            // A broken connection still finishing its calls takes no new ones, and one a client has
            // to itself takes no one else's unless nothing else is left.
            if (connection.IsBroken || (connection.LeasedBy is not null && !allowLeased))
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
            if (connection.IsBroken || connection.InFlight > 0 || HoldsSubscriptionsLocked(connection) || connection.HoldsTasks)
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
                CloseInBackground(connection);
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

    private void DropBrokenLocked()
    {
        for (var i = _connections.Count - 1; i >= 0; i--)
        {
            var connection = _connections[i];
            if (connection.IsBroken && connection.InFlight == 0)
            {
                _connections.RemoveAt(i);
                _budget.Return();
                CloseInBackground(connection);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "MCP server {Server}: closed a connection idle for {Seconds:0} s; {Connections} left")]
    private static partial void ClosedIdle(ILogger logger, string server, double seconds, int connections);
}
