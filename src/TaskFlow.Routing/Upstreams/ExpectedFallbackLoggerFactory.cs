using Microsoft.Extensions.Logging;

namespace TaskFlow.Routing.Upstreams;

/// <summary>
/// The logger factory handed to the MCP SDK for upstream connections. The SDK logs every failed
/// request at Warning, including the two that are an expected part of talking to servers on older
/// protocol revisions: the <c>server/discover</c> probe (2026-07-28) answered "method not found",
/// after which the SDK falls back to the initialize handshake, and a <c>ping</c> a server does not
/// implement (the health check then lists tools instead). Those two go out at Debug; everything
/// else passes unchanged.
/// </summary>
internal sealed class ExpectedFallbackLoggerFactory(ILoggerFactory inner) : ILoggerFactory
{
    public ILogger CreateLogger(string categoryName) => new Logger(inner.CreateLogger(categoryName));

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    public void Dispose()
    {
        // The inner factory belongs to the host.
    }

    /// <summary>Whether a message is the SDK's report of an expected fallback.</summary>
    internal static bool IsExpectedFallback(string message) =>
        message.Contains("(-32601)", StringComparison.Ordinal)
        && (message.Contains("'server/discover'", StringComparison.Ordinal) || message.Contains("'ping'", StringComparison.Ordinal));

    private sealed class Logger(ILogger inner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel >= LogLevel.Warning && inner.IsEnabled(logLevel) && IsExpectedFallback(formatter(state, exception)))
            {
                logLevel = LogLevel.Debug;
            }

            inner.Log(logLevel, eventId, state, exception, formatter);
        }
    }
}
