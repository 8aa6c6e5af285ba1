using System.Diagnostics.Metrics;

namespace TaskFlow.Routing;

/// <summary>
/// The router's instruments, exported under the reference report's names: <c>mcp_server_latency</c>
/// (histogram, seconds), <c>mcp_message_rate</c> (messages sent), <c>mcp_error_rate</c> (failed
/// calls), <c>mcp_connection_count</c>, <c>mcp_breaker_state</c> (0 closed, 1 half-open,
/// 2 open), <c>mcp_health_status</c> (1 up, 0 down) and <c>mcp_connection_failures</c> (failed
/// starts and lost connections); each tagged with the server. The Prometheus exporter prefixes an instrument's name
/// with its meter's, so the meter is <c>mcp</c> and the instruments <c>server_latency</c> and so on.
/// </summary>
public sealed class RoutingMetrics : IDisposable
{
    public const string MeterName = "mcp";

    private readonly Histogram<double> _latency;
    private readonly Counter<long> _messages;
    private readonly Counter<long> _errors;
    private McpRouter? _router;

    /// <param name="meters">The host's meter factory; without one the meter is created directly.</param>
    public RoutingMetrics(IMeterFactory? meters = null)
    {
        Meter = meters?.Create(MeterName) ?? new Meter(MeterName);
        _latency = Meter.CreateHistogram<double>("server_latency", description: "Round trip of calls and health checks to an upstream MCP server, in seconds.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });
        _messages = Meter.CreateCounter<long>("message_rate", description: "Requests sent to an upstream MCP server.");
        _errors = Meter.CreateCounter<long>("error_rate", description: "Calls to an upstream MCP server that failed (transport, timeout or refusal).");
        Meter.CreateObservableGauge("connection_count", () => _router?.Servers.Select(s => new Measurement<int>(s.ConnectionCount, new KeyValuePair<string, object?>("server", s.Name))) ?? [], description: "Open connections to an upstream MCP server.");
        Meter.CreateObservableGauge("health_status", () => _router?.Servers.Select(s => new Measurement<int>(s.IsUp ? 1 : 0, new KeyValuePair<string, object?>("server", s.Name))) ?? [], description: "1 while an upstream MCP server answers (not failing its starts or health checks, breaker not open), 0 while it is down.");
        Meter.CreateObservableCounter("connection_failures", () => _router?.Servers.Select(s => new Measurement<long>(s.ConnectionFailures, new KeyValuePair<string, object?>("server", s.Name))) ?? [], description: "Starts of an upstream MCP server that failed, and connections to it that were lost.");
        Meter.CreateObservableGauge("breaker_state", () => _router?.Servers.Select(s => new Measurement<int>((int)BreakerValue(s.Breaker.State), new KeyValuePair<string, object?>("server", s.Name))) ?? [], description: "Circuit breaker per server: 0 closed, 1 half-open, 2 open.");
    }

    public Meter Meter { get; }

    public void Dispose() => Meter.Dispose();

    internal void Observe(McpRouter router) => _router = router;

    /// <summary>
    /// Records zero on the call counters of every server of <paramref name="router"/>, so that an
    /// error ratio has a series before the first call. An exporter calls this once it listens.
    /// </summary>
    public void PublishZeros(McpRouter router)
    {
        foreach (var server in router.Servers)
        {
            var tag = new KeyValuePair<string, object?>("server", server.Name);
            _messages.Add(0, tag);
            _errors.Add(0, tag);
        }
    }

    internal void Called(string server, TimeSpan latency, bool failed)
    {
        var tag = new KeyValuePair<string, object?>("server", server);
        _messages.Add(1, tag);
        _latency.Record(latency.TotalSeconds, tag);
        if (failed)
        {
            _errors.Add(1, tag);
        }
    }

    internal void Checked(string server, TimeSpan latency) => _latency.Record(latency.TotalSeconds, new KeyValuePair<string, object?>("server", server));

    private static int BreakerValue(CircuitBreaking.CircuitState state) => state switch
    {
        CircuitBreaking.CircuitState.Closed => 0,
        CircuitBreaking.CircuitState.HalfOpen => 1,
        _ => 2,
    };
}
