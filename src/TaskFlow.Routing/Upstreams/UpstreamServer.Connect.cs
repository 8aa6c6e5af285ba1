// MCP's logging and sampling are deprecated as of revision 2026-07-28 (SEP-2577); servers on earlier
// revisions still use them, and the gateway passes them on for them.
#pragma warning disable MCP9005

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
    /// <param name="rootsOf">For a connection of one downstream session's own: that session, whose client answers the server's <c>roots/list</c> when it declared roots.</param>
    private async Task<UpstreamConnection> ConnectAsync(CancellationToken cancellationToken, string? rootsOf = null)
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
        ProcessGroupStdioTransport? stdio = null;
        try
        {
            var callers = new DownstreamCallers();
            UpstreamConnection? made = null;
            var clientOptions = new McpClientOptions
            {
                ClientInfo = new Implementation { Name = "taskflow-router", Version = typeof(UpstreamServer).Assembly.GetName().Version?.ToString() ?? "1.0" },
                InitializationTimeout = _routing.ConnectTimeout,

                // The 2026-07-28 probe falls back to the initialize handshake after this long. The
                // SDK's 5 s is shorter than a .NET server's start on a busy machine, which would
                // then be reached on an older revision for no reason; half the connect timeout
                // still leaves the handshake time to answer.
                DiscoverProbeTimeout = _routing.ConnectTimeout / 2,

                // Sampling and elicitation in the middle of a call go to the client that made the
                // call, when it came through the gateway (see DownstreamCallers).
                // A request about a task (related-task _meta) goes to the client whose task it is.
                Handlers = new McpClientHandlers
                {
                    SamplingHandler = (request, _, token) => TaskClient(made, request?.Meta) is { } owner && request is not null
                        ? owner.Client.SampleAsync(WithTaskId(request, owner.TaskId), token)
                        : callers.SampleAsync(request, token),
                    ElicitationHandler = (request, token) => TaskClient(made, request?.Meta) is { } owner && request is not null
                        ? owner.Client.ElicitAsync(WithTaskId(request, owner.TaskId), token)
                        : callers.ElicitAsync(request, token),
                },
            };
            if (rootsOf is not null && _roots?.Invoke() is { } roots && roots.Declares(rootsOf))
            {
                // One client's session: its roots are the server's (a shared connection declares none).
                clientOptions.Capabilities = new ClientCapabilities { Roots = new RootsCapability { ListChanged = true } };
                clientOptions.Handlers.RootsHandler = (_, token) => roots.ListAsync(rootsOf, token);
            }

            stdio = IsHttp ? null : CreateStdioTransport();
            var transport = new ProgressTrackingTransport(stdio is null ? CreateHttpTransport() : stdio);
            var client = await ConnectRetry.ExecuteAsync(
                async token =>
                {
                    // A restart asks for the revision the server spoke last time, which skips the
                    // 2026-07-28 probe (a round trip, or a wait for servers that drop unknown
                    // methods). Should the server no longer speak it, the next try probes again.
                    var known = Volatile.Read(ref _knownProtocol);
                    clientOptions.ProtocolVersion = known is not null && KeepsSessionState(known) ? known : null;
                    try
                    {
                        return await McpClient.CreateAsync(transport, clientOptions, _loggers, token);
                    }
                    catch (Exception) when (known is not null)
                    {
                        Volatile.Write(ref _knownProtocol, null);
                        throw;
                    }
                },
                timeout.Token);
            Volatile.Write(ref _knownProtocol, client.NegotiatedProtocolVersion);
            client.RegisterNotificationHandler(NotificationMethods.ToolListChangedNotification, (_, _) =>
            {
                InvalidateTools();
                return ValueTask.CompletedTask;
            });
            client.RegisterNotificationHandler(NotificationMethods.ResourceListChangedNotification, (_, _) =>
            {
                OnCatalogChanged();
                return ValueTask.CompletedTask;
            });
            client.RegisterNotificationHandler(NotificationMethods.PromptListChangedNotification, (_, _) =>
            {
                OnCatalogChanged();
                return ValueTask.CompletedTask;
            });
            client.RegisterNotificationHandler(TaskStatusNotification, (notification, _) =>
            {
                if (made is { } connection && notification.Params is JsonObject status)
                {
                    OnTaskStatus(connection, status);
                }

                return ValueTask.CompletedTask;
            });
            try
            {
                await PrepareSessionAsync(client, timeout.Token);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The session works without its log level; the server's own default applies.
                LevelRefused(_logger, Name, FailureText.Of(ex));
            }

            Capabilities = client.ServerCapabilities;
            _startFailures = 0;
            Volatile.Write(ref _nextStartAllowedAt, 0);
            State = UpstreamState.Ready;
            ProtocolVersion = client.NegotiatedProtocolVersion;
            Connected(_logger, Name, ProtocolVersion, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            var connection = new UpstreamConnection(client, transport, callers, _time.GetTimestamp(), stdio);
            made = connection;
            _lastTransport = transport;
            _ = WatchAsync(connection);
            return connection;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            var failures = Interlocked.Increment(ref _startFailures);
            Interlocked.Increment(ref _connectionFailures);
            var backoff = TimeSpan.FromMilliseconds(Math.Min(30_000, 250 * Math.Pow(2, Math.Min(failures - 1, 10))));
            Volatile.Write(ref _nextStartAllowedAt, _time.GetTimestamp() + (long)(backoff.TotalSeconds * _time.TimestampFrequency));
            State = UpstreamState.Failing;
            var reason = await StartFailureAsync(ex, stdio);
            RecordError($"could not be started: {reason}");
            StartFailed(_logger, Name, failures, backoff.TotalMilliseconds, reason);
            throw new McpRoutingException($"Server '{Name}' could not be started: {reason}", ex);
        }
    }

    /// <summary>
    /// Why a start failed, in a user's words. A stdio server that exits during its start (a missing
    /// API key, a wrong entry point, a Node.js too old) leaves the SDK only "the server shut down
    /// unexpectedly"; its exit code and the line on stderr that says why (<see cref="StderrTail"/>) are added.
    /// </summary>
    private static async Task<string> StartFailureAsync(Exception exception, ProcessGroupStdioTransport? stdio)
    {
        if (stdio is null)
        {
            return exception.Message;
        }

        if (stdio.DescribeExit() is null)
        {
            // The pipe closes first; the exit, and the rest of stderr, follow within moments. (A
            // server that is still running, one that timed out, costs this second once.)
            await stdio.WaitForExitAsync(TimeSpan.FromSeconds(1));
        }

        return stdio.DescribeExit() is { } exit ? $"{exception.Message} ({exit})" : exception.Message;
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

    private HttpClientTransport CreateHttpTransport() => new(
        new HttpClientTransportOptions
        {
            Name = Name,
            Endpoint = new Uri(Options.Url!),
            TransportMode = HttpTransportMode.StreamableHttp,
            AdditionalHeaders = Expanded(Options.Headers, "header"),
            ConnectionTimeout = _routing.ConnectTimeout,
        },
        new HttpClient(new MessageSizeLimitHandler(MaxMessageBytes) { InnerHandler = new SocketsHttpHandler() }) { Timeout = Timeout.InfiniteTimeSpan },
        _loggers,
        ownsHttpClient: true);

    private long MaxMessageBytes => Options.MaxMessageMegabytes * 1024L * 1024L;

    private ProcessGroupStdioTransport CreateStdioTransport()
    {
        var environment = Expanded(Options.Environment, "environment variable");
        return new(
            Name,
            Options.Command!,
            Options.Arguments,
            environment,
            Options.WorkingDirectory,
            _loggers,
            MaxMessageBytes,
            Options.Workspace is { OnlyWhenAsked: false } policy ? cancellationToken => ConfineAsync(policy, environment, cancellationToken) : null);
    }

    private Task<ConfinedLaunch> ConfineAsync(UpstreamWorkspaceOptions policy, Dictionary<string, string> environment, CancellationToken cancellationToken) =>
        _sandbox is null
            ? throw new InvalidOperationException($"MCP server '{Name}' is to run in a workspace, but this process has no workspaces (the server and worker add them; a host without them cannot confine it)")
            : _sandbox.ConfineAsync(Name, policy, Options.Command!, Options.Arguments, environment, cancellationToken);

    /// <summary>Settings with <c>{{ secrets.NAME }}</c> replaced by the secrets' current values (a rotated secret applies from the next connect).</summary>
    private Dictionary<string, string> Expanded(Dictionary<string, string> settings, string what) =>
        _secrets is null
            ? settings
            : settings.ToDictionary(p => p.Key, p => _secrets.Expand(p.Value, $"MCP server '{Name}': {what} '{p.Key}'"), settings.Comparer);

    /// <summary>
    /// The first call to see a connection lost says so (one Warning with the reason, the exit code
    /// for a process) and starts the server again in the background, so the calls that follow,
    /// and the breaker's probes, find it up as soon as it can be.
    /// </summary>
    /// <summary>A session that ends without the router closing it (a process that exits between calls too) is a lost connection.</summary>
    private async Task WatchAsync(UpstreamConnection connection)
    {
        try
        {
            await connection.Client.Completion;
        }
        catch (Exception)
        {
            // How it ended is told by the process, or by the call that saw it.
        }

        if (!connection.IsClosing && Volatile.Read(ref _disposing) == 0)
        {
            _ = Lost(connection, null);
        }
    }

    /// <summary>
    /// Reports a lost connection once: one failure for the breaker, one Warning with the reason
    /// (a process's exit code), and a start in the background.
    /// </summary>
    private void OnConnectionLost(UpstreamConnection connection, Exception? failure)
    {
        var calls = connection.InFlight;
        Interlocked.Increment(ref _connectionFailures);
        Breaker.OnFailure();
        RecordError(connection.DescribeLoss(failure));
        _ = Task.Run(async () =>
        {
            try
            {
                await RestartAfterLossAsync(connection, failure, calls);
            }
            finally
            {
                connection.RestartEnded();
            }
        });
    }

    private async Task RestartAfterLossAsync(UpstreamConnection connection, Exception? failure, int calls)
    {
        // A process that broke its pipes is usually a moment from exiting: wait for that moment,
        // so the warning (and the status) can give its exit code.
        await connection.WaitForExitAsync(TimeSpan.FromMilliseconds(250));
        var reason = connection.DescribeLoss(failure);
        RecordError(reason);
        ConnectionLost(_logger, Name, reason, calls);
        if (Volatile.Read(ref _disposing) == 1 || connection.IsPinned)
        {
            return;
        }

        // A start can fail on a busy machine (the handshake outlasting the connect timeout): it is
        // tried again, after the backoff ConnectAsync keeps, a few times before the next call is
        // left to start the server.
        var started = _time.GetTimestamp();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var (replacement, callStarted) = await AcquireAsync(_disposed.Token);
                Release(replacement, callStarted);
                break;
            }
            catch (Exception) when (_disposed.IsCancellationRequested)
            {
                return;
            }
            catch (Exception) when (attempt < RestartAttempts)
            {
                // Logged and backed off where it happened; a refusal that is not a start failure
                // (every connection of the router in use) waits a moment too.
                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(250), _time, _disposed.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
            catch (Exception)
            {
                return;
            }
        }

        Interlocked.Increment(ref _restarts);
        Breaker.OnRecovered();
        Restarted(_logger, Name, _time.GetElapsedTime(started).TotalMilliseconds);
        try
        {
            await ResubscribeAsync(_disposed.Token);
        }
        catch (Exception)
        {
            // A subscription that could not be renewed is renewed by the next subscribe call.
        }
    }

    /// <summary>How many times a lost server is started again in the background before the next call is left to do it.</summary>
    private const int RestartAttempts = 5;

    [LoggerMessage(Level = LogLevel.Information, Message = "MCP server {Server} connected (protocol {Protocol}) in {Milliseconds:0} ms")]
    private static partial void Connected(ILogger logger, string server, string? protocol, double milliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MCP server {Server} failed to start ({Failures} in a row); next start in {Backoff:0} ms: {Reason}")]
    private static partial void StartFailed(ILogger logger, string server, int failures, double backoff, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MCP server {Server} lost its connection ({Reason}) with {Calls} calls in flight; restarting it")]
    private static partial void ConnectionLost(ILogger logger, string server, string reason, int calls);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MCP server {Server} refused the log level asked of it: {Reason}")]
    private static partial void LevelRefused(ILogger logger, string server, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "MCP server {Server} is up again after {Milliseconds:0} ms; its breaker lets calls through")]
    private static partial void Restarted(ILogger logger, string server, double milliseconds);
}
