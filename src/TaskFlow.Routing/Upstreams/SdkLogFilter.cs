using Microsoft.Extensions.Logging;

namespace TaskFlow.Routing.Upstreams;

/// <summary>
/// The logger factory handed to the MCP SDK for upstream connections. It lowers to Debug what the
/// SDK reports at Warning or worse but is either expected or reported by the router itself:
/// <list type="bullet">
/// <item>the two failed requests that are an expected part of talking to servers on older protocol
/// revisions: the <c>server/discover</c> probe (2026-07-28) answered "method not found", after which
/// the SDK falls back to the initialize handshake, and a <c>ping</c> a server does not implement
/// (the health check then lists tools instead);</item>
/// <item>a session that could not be started ("client initialization error", with a stack trace,
/// once per try), and a message that could not be sent because the server had gone ("transport
/// send failed", a broken pipe): the router logs one warning per failed start or lost connection
/// instead, with the reason and, for a stdio server, its exit code and the line on stderr that
/// says why.</item>
/// </list>
/// Everything else passes unchanged.
/// </summary>
internal sealed class SdkLogFilter(ILoggerFactory inner) : ILoggerFactory
{
    public ILogger CreateLogger(string categoryName) => new Logger(inner.CreateLogger(categoryName));

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    public void Dispose()
    {
        // The inner factory belongs to the host.
    }

    /// <summary>Whether a message is the SDK's report of an expected fallback, or of a failure the router reports itself.</summary>
    internal static bool IsLowered(string message) =>
        IsExpectedFallback(message)
        || message.Contains("client initialization error", StringComparison.Ordinal)
        || message.Contains("transport send failed", StringComparison.Ordinal);

    private static bool IsExpectedFallback(string message) =>
        message.Contains("(-32601)", StringComparison.Ordinal)
        && (message.Contains("'server/discover'", StringComparison.Ordinal) || message.Contains("'ping'", StringComparison.Ordinal));

    private sealed class Logger(ILogger inner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel >= LogLevel.Warning && inner.IsEnabled(logLevel) && IsLowered(formatter(state, exception)))
            {
                logLevel = LogLevel.Debug;
            }

            inner.Log(logLevel, eventId, state, exception, formatter);
        }
    }
}
