using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using TaskFlow.Core.Model;
using TaskFlow.Engine.Tests.Infrastructure;
using TaskFlow.Engine.Tests.Scheduling;

namespace TaskFlow.Engine.Tests.Dispatch;

public sealed class NodeLoggingTests
{
    private const string LogThenFail = """
        { "id": "node-logs", "nodes": [
            { "id": "say", "type": "log", "inputs": { "message": "hello from say" } },
            { "id": "boom", "type": "test.flaky", "inputs": { "failures": 1, "key": "node-logs" } } ],
          "edges": [ { "from": "say", "to": "boom" } ] }
        """;

    [Theory]
    [MemberData(nameof(TestEngine.Providers), MemberType = typeof(TestEngine))]
    public async Task NodeLogs_CarryInstanceNodeAndAttempt_AndFailuresAreLogged(string provider)
    {
        var captured = new CapturingLoggerProvider();
        await using var engine = await TestEngine.StartAsync(
            provider,
            activities: b => b.AddActivity<FailureTests.FlakyActivity>(),
            logging: l => l.AddProvider(captured).AddFilter<CapturingLoggerProvider>(null, LogLevel.Information));

        var view = await engine.RunAsync(LogThenFail);

        Assert.Equal(InstanceStatus.Failed, view.Status);
        var said = Assert.Single(captured.Entries, e => e.Message.Contains("hello from say", StringComparison.Ordinal));
        Assert.Equal((view.Id, "say", 1), (said.Scope["InstanceId"], said.Scope["NodeId"], said.Scope["Attempt"]));

        var failed = Assert.Single(captured.Entries, e => e.Level == LogLevel.Warning && e.Category.EndsWith("ActivityExecutor", StringComparison.Ordinal));
        Assert.Equal((view.Id, "boom", 1), (failed.Scope["InstanceId"], failed.Scope["NodeId"], failed.Scope["Attempt"]));
        Assert.Contains("attempt 1 failed on purpose", failed.Message, StringComparison.Ordinal);
        Assert.Contains($"Instance {view.Id} node boom", failed.Message, StringComparison.Ordinal);

        // Outside a node's execution, no node scope leaks onto other log lines.
        Assert.DoesNotContain(captured.Entries, e => !e.Category.StartsWith("TaskFlow.Engine.Activities", StringComparison.Ordinal)
            && !e.Category.EndsWith("ActivityExecutor", StringComparison.Ordinal) && e.Scope.ContainsKey("NodeId"));
    }

    private sealed record Entry(string Category, LogLevel Level, string Message, Dictionary<string, object?> Scope);

    /// <summary>Keeps every log entry with the named values of the scopes it was written in.</summary>
    private sealed class CapturingLoggerProvider : ILoggerProvider, ISupportExternalScope
    {
        private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

        public ConcurrentQueue<Entry> Entries { get; } = new();

        public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => owner._scopes.Push(state);

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var scope = new Dictionary<string, object?>();
                owner._scopes.ForEachScope(
                    (value, values) =>
                    {
                        if (value is IEnumerable<KeyValuePair<string, object?>> pairs)
                        {
                            foreach (var (key, item) in pairs)
                            {
                                values[key] = item;
                            }
                        }
                    },
                    scope);
                owner.Entries.Enqueue(new Entry(category, logLevel, formatter(state, exception), scope));
            }
        }
    }
}
