using ModelContextProtocol.Protocol;

namespace TaskFlow.Routing.Gateway;

/// <summary>
/// Resource subscriptions: each client's own, over one upstream subscription per server and URI
/// (made by the first subscriber, ended with the last). An update goes to the clients that
/// subscribed to that resource, under the URI each used.
/// </summary>
public sealed partial class McpGatewaySessions
{
    // (server, URI as the server writes it) -> session -> the URI that session subscribed with.
    private readonly Dictionary<(string Server, string Uri), Dictionary<string, string>> _subscriptions = [];
    private readonly SemaphoreSlim _subscribing = new(1, 1);

    /// <summary>Subscribes <paramref name="session"/> to a resource of <paramref name="server"/>; the upstream is asked only for the first subscriber.</summary>
    internal async Task SubscribeAsync(string session, string server, string uri, string listedUri, CancellationToken cancellationToken)
    {
        await _subscribing.WaitAsync(cancellationToken);
        try
        {
            var key = (server, uri);
            if (!_subscriptions.TryGetValue(key, out var subscribers))
            {
                await _router.SubscribeAsync(server, uri, cancellationToken);
                subscribers = new Dictionary<string, string>(StringComparer.Ordinal);
                lock (_subscriptions)
                {
                    _subscriptions[key] = subscribers;
                }
            }

            lock (_subscriptions)
            {
                subscribers[session] = listedUri;
            }
        }
        finally
        {
            _subscribing.Release();
        }
    }

    /// <summary>Ends <paramref name="session"/>'s subscription; the upstream's ends with the last subscriber. Unsubscribing from what was never subscribed is no error.</summary>
    internal async Task UnsubscribeAsync(string session, string server, string uri, CancellationToken cancellationToken)
    {
        await _subscribing.WaitAsync(cancellationToken);
        try
        {
            await LeaveLockedAsync(session, (server, uri), cancellationToken);
        }
        finally
        {
            _subscribing.Release();
        }
    }

    /// <summary>The resources a session is subscribed to, as it named them.</summary>
    internal IReadOnlyList<string> SubscriptionsOf(string session)
    {
        lock (_subscriptions)
        {
            return [.. _subscriptions.Values.Where(s => s.ContainsKey(session)).Select(s => s[session])];
        }
    }

    private async Task EndSubscriptionsAsync(string session)
    {
        await _subscribing.WaitAsync();
        try
        {
            foreach (var key in _subscriptions.Where(p => p.Value.ContainsKey(session)).Select(p => p.Key).ToList())
            {
                try
                {
                    await LeaveLockedAsync(session, key, CancellationToken.None);
                }
                catch (Exception)
                {
                    // The upstream is gone or refused; its subscription goes with its session.
                }
            }
        }
        finally
        {
            _subscribing.Release();
        }
    }

    private async Task LeaveLockedAsync(string session, (string Server, string Uri) key, CancellationToken cancellationToken)
    {
        lock (_subscriptions)
        {
            if (!_subscriptions.TryGetValue(key, out var subscribers) || !subscribers.Remove(session) || subscribers.Count > 0)
            {
                return;
            }

            _subscriptions.Remove(key);
        }

        await _router.UnsubscribeAsync(key.Server, key.Uri, cancellationToken);
    }

    private void OnResourceUpdated(string server, string uri)
    {
        KeyValuePair<string, string>[] subscribers;
        lock (_subscriptions)
        {
            // Not under the semaphore: an update must not wait for a subscribe in flight upstream.
            subscribers = _subscriptions.TryGetValue((server, uri), out var found) ? [.. found] : [];
        }

        foreach (var (session, listedUri) in subscribers)
        {
            _ = NotifyAsync(session, NotificationMethods.ResourceUpdatedNotification, new ResourceUpdatedNotificationParams { Uri = listedUri });
        }
    }
}
