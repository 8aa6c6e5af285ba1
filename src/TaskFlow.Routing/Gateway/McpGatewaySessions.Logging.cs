// MCP's logging is deprecated as of revision 2026-07-28 (SEP-2577); servers on earlier revisions still
// send it, and the gateway passes it on for them.
#pragma warning disable MCP9005

using ModelContextProtocol.Protocol;

namespace TaskFlow.Routing.Gateway;

/// <summary>
/// Log messages (<c>notifications/message</c>): a client that sets a level hears every server's
/// messages at that level and above, its logger named after the server (<c>server</c> or
/// <c>server/logger</c>); a client that never set one hears none. Servers are asked for the most
/// detailed level any client wants, and asked again when that client leaves.
/// </summary>
public sealed partial class McpGatewaySessions
{
    private readonly Dictionary<string, LoggingLevel> _levels = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _leveling = new(1, 1);
    private LoggingLevel? _upstreamLevel;

    /// <summary>Sets the level of messages <paramref name="session"/> hears, and asks the servers for it if it is more detailed than what they send now.</summary>
    internal async Task SetLogLevelAsync(string session, LoggingLevel level, CancellationToken cancellationToken)
    {
        await _leveling.WaitAsync(cancellationToken);
        try
        {
            lock (_levels)
            {
                _levels[session] = level;
            }

            await ApplyLevelLockedAsync(cancellationToken);
        }
        finally
        {
            _leveling.Release();
        }
    }

    /// <summary>The level a session set; null when it set none.</summary>
    internal LoggingLevel? LogLevelOf(string session)
    {
        lock (_levels)
        {
            return _levels.TryGetValue(session, out var level) ? level : null;
        }
    }

    private async Task EndLogLevelAsync(string session)
    {
        await _leveling.WaitAsync();
        try
        {
            lock (_levels)
            {
                if (!_levels.Remove(session))
                {
                    return;
                }
            }

            await ApplyLevelLockedAsync(CancellationToken.None);
        }
        catch (Exception)
        {
            // Servers keep the more detailed level; the messages are still filtered per client.
        }
        finally
        {
            _leveling.Release();
        }
    }

    private async Task ApplyLevelLockedAsync(CancellationToken cancellationToken)
    {
        LoggingLevel? wanted;
        lock (_levels)
        {
            wanted = _levels.Count == 0 ? null : _levels.Values.Min();
        }

        if (wanted is { } level && level != _upstreamLevel)
        {
            await _router.SetLogLevelAsync(level, cancellationToken);
            _upstreamLevel = level;
        }
    }

    private void OnLogMessage(string server, LoggingMessageNotificationParams message)
    {
        KeyValuePair<string, LoggingLevel>[] listeners;
        lock (_levels)
        {
            listeners = [.. _levels];
        }

        if (listeners.Length == 0)
        {
            return;
        }

        var forwarded = new LoggingMessageNotificationParams
        {
            Level = message.Level,
            Logger = message.Logger is { Length: > 0 } logger ? $"{server}/{logger}" : server,
            Data = message.Data,
            Meta = message.Meta,
        };
        foreach (var (session, level) in listeners)
        {
            if (message.Level >= level)
            {
                _ = NotifyAsync(session, NotificationMethods.LoggingMessageNotification, forwarded);
            }
        }
    }
}
