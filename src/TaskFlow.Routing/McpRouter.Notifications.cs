// MCP's logging is deprecated as of revision 2026-07-28 (SEP-2577); servers on earlier revisions still
// send it, and the gateway passes it on for them.
#pragma warning disable MCP9005

using Microsoft.Extensions.Logging;
using ModelContextProtocol.Protocol;
using TaskFlow.Routing.Upstreams;

namespace TaskFlow.Routing;

/// <summary>
/// What servers send unasked (resource updates, log messages) and the session state that asks for
/// it (subscriptions, the log level). The router holds one subscription per server and URI and one
/// level per server; who downstream hears what is the gateway's business.
/// </summary>
public sealed partial class McpRouter
{
    /// <summary>Raised when a server says a subscribed resource changed: <c>(server, uri as the server wrote it)</c>.</summary>
    public event Action<string, string>? ResourceUpdated;

    /// <summary>Raised for every log message a server sends: <c>(server, message)</c>.</summary>
    public event Action<string, LoggingMessageNotificationParams>? LogMessage;

    /// <summary>Subscribes to a resource of <paramref name="server"/> (once, however often asked: the caller counts its subscribers).</summary>
    public Task SubscribeAsync(string server, string uri, CancellationToken cancellationToken = default) =>
        WithTimeoutAsync(server, (s, token) => s.SubscribeAsync(uri, token), cancellationToken);

    /// <summary>Ends the subscription to a resource of <paramref name="server"/>.</summary>
    public Task UnsubscribeAsync(string server, string uri, CancellationToken cancellationToken = default) =>
        WithTimeoutAsync(server, (s, token) => s.UnsubscribeAsync(uri, token), cancellationToken);

    /// <summary>
    /// Asks every server that offers logging for messages at <paramref name="level"/> and above, on
    /// every session it has and will have. A server that refuses is left at its own level.
    /// </summary>
    public async Task SetLogLevelAsync(LoggingLevel level, CancellationToken cancellationToken = default)
    {
        await Task.WhenAll(_servers.Values.Where(s => s.Capabilities?.Logging is not null).Select(async server =>
        {
            try
            {
                await WithTimeoutAsync(server.Name, (s, token) => s.SetLogLevelAsync(level, token), cancellationToken);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                LevelNotSet(_logger, server.Name, level.ToString(), ex.Message);
            }
        }));
    }

    private async Task WithTimeoutAsync(string name, Func<UpstreamServer, CancellationToken, Task> request, CancellationToken cancellationToken)
    {
        if (!_servers.TryGetValue(name, out var server))
        {
            throw new McpRoutingException($"No MCP server is named '{name}'.");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.CallTimeout);
        try
        {
            await request(server, timeout.Token);
        }
        catch (Exception ex) when (ex is not McpRoutingException && !cancellationToken.IsCancellationRequested)
        {
            throw new McpRoutingException($"Server '{name}': {ex.Message}", ex);
        }
    }

    private void OnResourceUpdated(UpstreamServer server, string uri) => ResourceUpdated?.Invoke(server.Name, uri);

    private void OnLogMessage(UpstreamServer server, LoggingMessageNotificationParams message) => LogMessage?.Invoke(server.Name, message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MCP server {Server} was not set to log level {Level}: {Reason}")]
    private static partial void LevelNotSet(ILogger logger, string server, string level, string reason);
}
