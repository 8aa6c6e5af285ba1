using Microsoft.Extensions.Logging;
using TaskFlow.Routing.CircuitBreaking;
using TaskFlow.Routing.Upstreams;

namespace TaskFlow.Routing;

public sealed partial class McpRouter
{
    private int _disposed;

    /// <summary>A snapshot of every server (and every isolated rule's own instance) for the status API.</summary>
    public IReadOnlyList<McpServerStatus> GetStatus() =>
        [.. _servers.Values.Concat(_isolated).OrderBy(s => s.Options.Tier).ThenBy(s => s.Name, StringComparer.Ordinal).ThenBy(s => s.IsolatedFor, StringComparer.Ordinal).Select(s => new McpServerStatus(
            s.Name,
            s.Options.Transport,
            s.Options.Tier,
            s.Options.Priority,
            s.State,
            s.Breaker.State,
            s.Breaker.ConsecutiveFailures,
            s.LastLatency?.TotalMilliseconds,
            s.ConnectionCount,
            s.Options.MaxConnections,
            s.CallsInFlight,
            s.PinnedSessions,
            s.ProtocolVersion,
            s.RoutableTools?.Select(t => t.Name).ToArray(),
            s.LastError)
        {
            LastErrorAt = s.LastErrorAt,
            BreakerRetryAfterSeconds = s.Breaker.RetryAfter?.TotalSeconds,
            Restarts = s.Restarts,
            IsolatedFor = s.IsolatedFor,
        })];

    /// <summary>Health checks every started (or eager) server once; used by the router's host on its interval.</summary>
    public async Task CheckHealthAsync(bool includeIdle, CancellationToken cancellationToken)
    {
        await Task.WhenAll(_servers.Values.Where(s => includeIdle ? s.Options.Eager || s.State != UpstreamState.Idle : s.State != UpstreamState.Idle).Select(async server =>
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.CallTimeout);
            try
            {
                var latency = await server.CheckAsync(timeout.Token);
                _metrics.Checked(server.Name, latency);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                HealthFailed(_logger, server.Name, FailureText.Of(ex));
            }
        }));
    }

    /// <summary>Closes every server at once (each stdio server's process group is ended within about a second), so shutdown takes as long as the slowest server, not their sum.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await Task.WhenAll(_servers.Values.Concat(_isolated).Select(s => s.DisposeAsync().AsTask()));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "MCP server {Server} failed its health check: {Reason}")]
    private static partial void HealthFailed(ILogger logger, string server, string reason);
}

/// <summary>One server as the status API shows it.</summary>
public sealed record McpServerStatus(
    string Name,
    string Transport,
    int Tier,
    int Priority,
    UpstreamState State,
    CircuitState Breaker,
    int ConsecutiveFailures,
    double? LatencyMs,
    int Connections,
    int MaxConnections,
    int CallsInFlight,
    int PinnedSessions,
    string? ProtocolVersion,
    IReadOnlyList<string>? Tools,
    string? LastError)
{
    /// <summary>When <see cref="LastError"/> happened.</summary>
    public DateTimeOffset? LastErrorAt { get; init; }

    /// <summary>While the breaker is open: seconds until it lets probe calls through.</summary>
    public double? BreakerRetryAfterSeconds { get; init; }

    /// <summary>How often the server was started again after its process or session was lost.</summary>
    public int Restarts { get; init; }

    /// <summary>For an isolated rule's own instance of the server: the rule's pattern.</summary>
    public string? IsolatedFor { get; init; }
}
