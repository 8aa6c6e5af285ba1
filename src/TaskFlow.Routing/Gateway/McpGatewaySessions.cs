// Roots are deprecated as of MCP revision 2026-07-28 (SEP-2577); servers on earlier revisions still
// ask for them, and the gateway passes them on for the clients whose own sessions those are.
#pragma warning disable MCP9005

using System.Collections.Concurrent;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace TaskFlow.Routing.Gateway;

/// <summary>
/// The gateway's downstream sessions: the clients to announce changes to, the key that gives each
/// its own upstream sessions where the upstream keeps state per session, and what each asked to
/// hear (resource subscriptions, a log level). A stateless request (protocol 2026-07-28, or a
/// stateless transport) is no session: it shares the pool and cannot be sent notifications.
/// </summary>
/// <remarks>
/// Upstream sessions are shared, so what a client asks of them is kept here per client: the router
/// subscribes a URI once for all its subscribers and asks servers for the most detailed log level
/// any client wants, and this class hands each client only the updates it subscribed to and the
/// messages at or above its own level. One client never changes what another hears.
/// </remarks>
public sealed partial class McpGatewaySessions : IDownstreamRoots
{
    private const string ProcessSession = "stdio";

    // By session id. A request handler sees the session through a per-request wrapper, so the
    // id, not the object, finds it.
    private readonly ConcurrentDictionary<string, McpServer> _sessions = new(StringComparer.Ordinal);
    private readonly McpRouter _router;
    private readonly bool _processIsOneSession;

    /// <param name="processIsOneSession">Over stdio the process serves one client for its whole life, and its session has no id.</param>
    internal McpGatewaySessions(McpRouter router, bool processIsOneSession)
    {
        _router = router;
        _processIsOneSession = processIsOneSession;
        router.ToolsChanged += OnToolsChanged;
        router.CatalogChanged += OnCatalogChanged;
        router.ResourceUpdated += OnResourceUpdated;
        router.LogMessage += OnLogMessage;
        router.Roots = this;
    }

    /// <summary>A session as the client that answers a server's requests; null when it has ended.</summary>
    internal IDownstreamClient? ClientOf(string session) => _sessions.TryGetValue(session, out var server) ? new GatewayCaller(server, session) : null;

    /// <inheritdoc/>
    public bool Declares(string session) => _sessions.TryGetValue(session, out var server) && server.ClientCapabilities?.Roots is not null;

    /// <inheritdoc/>
    public async ValueTask<ListRootsResult> ListAsync(string session, CancellationToken cancellationToken) =>
        _sessions.TryGetValue(session, out var server)
            ? await server.RequestRootsAsync(new ListRootsRequestParams(), cancellationToken)
            : throw new McpProtocolException($"roots/list: gateway session '{session}' has ended.", McpErrorCode.InvalidRequest);

    /// <summary>Raised with a session's id when it has ended.</summary>
    public event Action<string>? SessionEnded;

    /// <summary>Sessions now open.</summary>
    public int Count => _sessions.Count;

    /// <summary>
    /// Runs one session of a transport that has several (Streamable HTTP): tracked while it runs,
    /// and, when it ends (the client deletes it, or it idles out), its subscriptions and log level
    /// dropped and its upstream sessions closed.
    /// </summary>
    public async Task RunAsync(McpServer session, CancellationToken cancellationToken)
    {
        if (session.SessionId is not { } id)
        {
            await session.RunAsync(cancellationToken);
            return;
        }

        _sessions[id] = session;
        try
        {
            await session.RunAsync(cancellationToken);
        }
        finally
        {
            _sessions.TryRemove(id, out _);
            await EndSubscriptionsAsync(id);
            await EndLogLevelAsync(id);
            SessionEnded?.Invoke(id);
            await _router.EndSessionAsync(id);
        }
    }

    /// <summary>The key of the session a request came in on; null for a stateless request.</summary>
    internal string? SessionOf(McpServer server)
    {
        if (server.SessionId is { } id && _sessions.ContainsKey(id))
        {
            return id;
        }

        if (!_processIsOneSession)
        {
            return null;
        }

        _sessions.TryAdd(ProcessSession, server);
        return ProcessSession;
    }

    /// <summary>The session a request came in on, for a request that only makes sense within one.</summary>
    /// <exception cref="McpProtocolException">The request is stateless.</exception>
    internal string RequireSession(McpServer server, string method) =>
        SessionOf(server) ?? throw new McpProtocolException(
            $"{method} needs a session: the gateway can send notifications only to a client with an MCP session (Mcp-Session-Id), and this request has none.",
            McpErrorCode.InvalidRequest);

    private void OnToolsChanged(string server) => _ = AnnounceAsync(NotificationMethods.ToolListChangedNotification);

    // A server's resources or prompts changed: the sessions hear both (which one changed is not said upstream).
    private void OnCatalogChanged(string server)
    {
        _ = AnnounceAsync(NotificationMethods.ResourceListChangedNotification);
        _ = AnnounceAsync(NotificationMethods.PromptListChangedNotification);
    }

    private async Task AnnounceAsync(string notification)
    {
        foreach (var session in _sessions.Values)
        {
            try
            {
                await session.SendNotificationAsync(notification, CancellationToken.None);
            }
            catch (Exception)
            {
                // The client has gone; its session ends on its own.
            }
        }
    }

    /// <summary>Sends a notification to one session, if it is still there; a client that has gone is no error.</summary>
    internal async Task NotifyAsync<T>(string session, string method, T parameters)
    {
        if (!_sessions.TryGetValue(session, out var server))
        {
            return;
        }

        try
        {
            await server.SendNotificationAsync(method, parameters, McpJsonUtilities.DefaultOptions, CancellationToken.None);
        }
        catch (Exception)
        {
            // The client has gone; its session ends on its own.
        }
    }
}
