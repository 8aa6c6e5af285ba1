using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using Polly;
using Polly.Retry;

namespace TaskFlow.Routing.Upstreams;

internal sealed partial class UpstreamServer
{
    private async Task<UpstreamConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        // A server that keeps failing to start is restarted with a growing pause (up to 30 s),
        // so a crash loop does not spin; its breaker usually stops callers before that.
        var due = Volatile.Read(ref _nextStartAllowedAt);
        var wait = due == 0 ? TimeSpan.Zero : TimeSpan.FromSeconds((due - _time.GetTimestamp()) / (double)_time.TimestampFrequency);
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, _time, cancellationToken);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposed.Token);
        timeout.CancelAfter(_routing.ConnectTimeout);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var clientOptions = new McpClientOptions
            {
                ClientInfo = new Implementation { Name = "taskflow-router", Version = typeof(UpstreamServer).Assembly.GetName().Version?.ToString() ?? "1.0" },
                InitializationTimeout = _routing.ConnectTimeout,

                // The 2026-07-28 probe falls back to the initialize handshake after this long. The
                // SDK's 5 s is shorter than a .NET server's start on a busy machine, which would
                // then be reached on an older revision for no reason; half the connect timeout
                // still leaves the handshake time to answer.
                DiscoverProbeTimeout = _routing.ConnectTimeout / 2,
            };
            var transport = new ProgressTrackingTransport(CreateTransport());
            var client = await ConnectRetry.ExecuteAsync(async token => await McpClient.CreateAsync(transport, clientOptions, _loggers, token), timeout.Token);
            client.RegisterNotificationHandler(NotificationMethods.ToolListChangedNotification, (_, _) =>
            {
                InvalidateTools();
                return ValueTask.CompletedTask;
            });
            _startFailures = 0;
            Volatile.Write(ref _nextStartAllowedAt, 0);
            State = UpstreamState.Ready;
            LastError = null;
            ProtocolVersion = client.NegotiatedProtocolVersion;
            Connected(_logger, Name, ProtocolVersion, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return new UpstreamConnection(client, transport, _time.GetTimestamp());
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            var failures = Interlocked.Increment(ref _startFailures);
            var backoff = TimeSpan.FromMilliseconds(Math.Min(30_000, 250 * Math.Pow(2, Math.Min(failures - 1, 10))));
            Volatile.Write(ref _nextStartAllowedAt, _time.GetTimestamp() + (long)(backoff.TotalSeconds * _time.TimestampFrequency));
            State = UpstreamState.Failing;
            LastError = ex.Message;
            StartFailed(_logger, ex, Name, failures, backoff.TotalMilliseconds);
            throw new McpRoutingException($"Server '{Name}' could not be started: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Starting a session is safe to retry (no tool call has been sent): two more tries, 200 ms
    /// then 400 ms apart, cover a process that was slow to come up or an HTTP server restarting.
    /// </summary>
    private static readonly ResiliencePipeline ConnectRetry = new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            MaxRetryAttempts = 2,
            Delay = TimeSpan.FromMilliseconds(200),
            BackoffType = DelayBackoffType.Exponential,
            ShouldHandle = new PredicateBuilder().Handle<Exception>(ex => ex is not OperationCanceledException),
        })
        .Build();

    private IClientTransport CreateTransport()
    {
        if (string.Equals(Options.Transport, "http", StringComparison.OrdinalIgnoreCase))
        {
            return new HttpClientTransport(new HttpClientTransportOptions
            {
                Name = Name,
                Endpoint = new Uri(Options.Url!),
                TransportMode = HttpTransportMode.StreamableHttp,
                AdditionalHeaders = Options.Headers,
                ConnectionTimeout = _routing.ConnectTimeout,
            }, _loggers);
        }

        return new StdioClientTransport(new StdioClientTransportOptions
        {
            Name = Name,
            Command = Options.Command!,
            Arguments = Options.Arguments,
            WorkingDirectory = Options.WorkingDirectory,
            EnvironmentVariables = Options.Environment.ToDictionary(p => p.Key, p => (string?)p.Value, StringComparer.Ordinal),
            ShutdownTimeout = TimeSpan.FromSeconds(2),
        }, _loggers);
    }
}
