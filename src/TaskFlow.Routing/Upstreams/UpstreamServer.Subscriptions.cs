// MCP's logging is deprecated as of revision 2026-07-28 (SEP-2577); servers on earlier revisions still
// send it, and the gateway passes it on for them.
#pragma warning disable MCP9005

using System.Text.Json;
using Microsoft.Extensions.Logging;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace TaskFlow.Routing.Upstreams;

/// <summary>
/// Resource subscriptions and logging, which an upstream session keeps as state: the router
/// subscribes each URI once, on one pooled connection that then stays open (idle or not) while it
/// holds subscriptions, and sets the log level on every connection, the ones started later too.
/// A connection lost and started again gets its subscriptions back.
/// </summary>
internal sealed partial class UpstreamServer
{
    private readonly HashSet<string> _subscribed = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _subscribing = new(1, 1);
    private UpstreamConnection? _subscriptionHolder;
    private LoggingLevel? _logLevel;

    /// <summary>Raised for <c>notifications/resources/updated</c>, with the URI as the server wrote it.</summary>
    public event Action<UpstreamServer, string>? ResourceUpdated;

    /// <summary>Raised for each <c>notifications/message</c> the server sends.</summary>
    public event Action<UpstreamServer, LoggingMessageNotificationParams>? LogMessage;

    /// <summary>The URIs the router has subscribed to on this server.</summary>
    public IReadOnlyCollection<string> Subscriptions
    {
        get
        {
            lock (_lock)
            {
                return [.. _subscribed];
            }
        }
    }

    /// <summary>The level last asked of the server's sessions; null when none was.</summary>
    public LoggingLevel? RequestedLogLevel => _logLevel;

    /// <summary>Subscribes to a resource on the connection that holds this server's subscriptions (opened if need be).</summary>
    public async Task SubscribeAsync(string uri, CancellationToken cancellationToken)
    {
        await _subscribing.WaitAsync(cancellationToken);
        try
        {
            var holder = await HolderAsync(cancellationToken);
            await holder.Client.SubscribeToResourceAsync(new SubscribeRequestParams { Uri = uri }, cancellationToken);
            lock (_lock)
            {
                _subscribed.Add(uri);
            }
        }
        finally
        {
            _subscribing.Release();
        }
    }

    /// <summary>Ends a subscription; when the connection that held it is gone, so is the subscription, and nothing is sent.</summary>
    public async Task UnsubscribeAsync(string uri, CancellationToken cancellationToken)
    {
        await _subscribing.WaitAsync(cancellationToken);
        try
        {
            UpstreamConnection? holder;
            lock (_lock)
            {
                if (!_subscribed.Remove(uri))
                {
                    return;
                }

                holder = _subscriptionHolder is { IsBroken: false } live ? live : null;
                if (_subscribed.Count == 0)
                {
                    _subscriptionHolder = null;
                }
            }

            if (holder is not null)
            {
                await holder.Client.UnsubscribeFromResourceAsync(new UnsubscribeRequestParams { Uri = uri }, cancellationToken);
            }
        }
        finally
        {
            _subscribing.Release();
        }
    }

    /// <summary>Asks every open session of the server for <paramref name="level"/>, and every session opened later.</summary>
    public async Task SetLogLevelAsync(LoggingLevel level, CancellationToken cancellationToken)
    {
        List<UpstreamConnection> open;
        lock (_lock)
        {
            _logLevel = level;
            open = [.. _connections.Where(c => !c.IsBroken)];
        }

        foreach (var connection in open)
        {
            if (connection.Client.ServerCapabilities?.Logging is not null)
            {
                await connection.Client.SetLoggingLevelAsync(new SetLevelRequestParams { Level = level }, cancellationToken);
            }
        }
    }

    /// <summary>Whether a pooled connection must stay open though idle: it holds the server's subscriptions.</summary>
    private bool HoldsSubscriptionsLocked(UpstreamConnection connection) => ReferenceEquals(connection, _subscriptionHolder) && _subscribed.Count > 0;

    private async Task<UpstreamConnection> HolderAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_subscriptionHolder is { IsBroken: false } live)
            {
                return live;
            }
        }

        var (connection, started) = await AcquireAsync(cancellationToken);
        Release(connection, started);
        lock (_lock)
        {
            _subscriptionHolder = connection;
        }

        return connection;
    }

    /// <summary>On a new connection: the level asked for so far, and listeners for updates and log messages.</summary>
    private async Task PrepareSessionAsync(ModelContextProtocol.Client.McpClient client, CancellationToken cancellationToken)
    {
        client.RegisterNotificationHandler(NotificationMethods.ResourceUpdatedNotification, (notification, _) =>
        {
            if (notification.Params?["uri"]?.GetValue<string>() is { } uri)
            {
                ResourceUpdated?.Invoke(this, uri);
            }

            return ValueTask.CompletedTask;
        });
        client.RegisterNotificationHandler(NotificationMethods.LoggingMessageNotification, (notification, _) =>
        {
            if (notification.Params?.Deserialize<LoggingMessageNotificationParams>(McpJsonUtilities.DefaultOptions) is { } message)
            {
                LogMessage?.Invoke(this, message);
            }

            return ValueTask.CompletedTask;
        });
        if (_logLevel is { } level && client.ServerCapabilities?.Logging is not null)
        {
            await client.SetLoggingLevelAsync(new SetLevelRequestParams { Level = level }, cancellationToken);
        }
    }

    /// <summary>After the holder of the subscriptions was lost: subscribes them again on a live connection.</summary>
    private async Task ResubscribeAsync(CancellationToken cancellationToken)
    {
        string[] uris;
        lock (_lock)
        {
            if (_subscribed.Count == 0 || _subscriptionHolder is { IsBroken: false })
            {
                return;
            }

            uris = [.. _subscribed];
            _subscriptionHolder = null;
        }

        await _subscribing.WaitAsync(cancellationToken);
        try
        {
            var holder = await HolderAsync(cancellationToken);
            foreach (var uri in uris)
            {
                await holder.Client.SubscribeToResourceAsync(new SubscribeRequestParams { Uri = uri }, cancellationToken);
            }

            Resubscribed(_logger, Name, uris.Length);
        }
        finally
        {
            _subscribing.Release();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "MCP server {Server}: {Count} resource subscriptions made again on its new session")]
    private static partial void Resubscribed(ILogger logger, string server, int count);
}
