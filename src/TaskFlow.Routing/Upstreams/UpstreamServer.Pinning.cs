// Roots are deprecated as of MCP revision 2026-07-28 (SEP-2577); servers on earlier revisions still
// ask for them, and the gateway passes them on for the clients whose own sessions those are.
#pragma warning disable MCP9005

using Microsoft.Extensions.Logging;

namespace TaskFlow.Routing.Upstreams;

internal sealed partial class UpstreamServer
{
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
                    connection.IsPinned = false;
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

        var idle = _connections.FirstOrDefault(c => c.InFlight == 0 && !c.HoldsTasks);
        if (idle is null)
        {
            throw new McpRoutingException($"Server '{Name}' has all {Options.MaxConnections} connections in use, so downstream session '{session}' cannot get an upstream session of its own (protocol {ProtocolVersion ?? "unknown"} keeps state per session). Raise MaxConnections or end idle sessions.");
        }

        _connections.Remove(idle);
        _budget.Return();
        CloseInBackground(idle);
    }

    /// <summary>Connects on behalf of every call of the session waiting on <paramref name="connecting"/> (not on one caller's token).</summary>
    private async Task ConnectPinnedAsync(string session, TaskCompletionSource<UpstreamConnection> connecting)
    {
        try
        {
            var connection = await ConnectAsync(_disposed.Token, rootsOf: session);
            connection.IsPinned = true;
            connecting.SetResult(connection);
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

    /// <summary>Tells the server, on the session's own connection (if it has one), that the session's roots changed.</summary>
    public async Task RootsChangedAsync(string session)
    {
        Task<UpstreamConnection>? pin;
        lock (_lock)
        {
            _pinned.TryGetValue(session, out pin);
        }

        if (pin is not { IsCompletedSuccessfully: true } || pin.Result is not { IsBroken: false } connection)
        {
            return;
        }

        try
        {
            await connection.Client.SendNotificationAsync(ModelContextProtocol.Protocol.NotificationMethods.RootsListChangedNotification);
        }
        catch (Exception)
        {
            // The session is ending; a new one asks for the roots when it starts.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "MCP server {Server} lost the upstream session of downstream session {Session}; the next call opens a new one")]
    private static partial void PinnedSessionLost(ILogger logger, string server, string session);
}
