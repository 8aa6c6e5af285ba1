using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using TaskFlow.Engine.Persistence;

namespace TaskFlow.Engine.Dispatch;

/// <summary>
/// Holds one connection in <c>LISTEN taskflow_work</c> and wakes this process's claim loop when
/// any process commits new work. Reconnects with jittered backoff and listens again; while
/// disconnected, workers still wake at the queue's next due time, and once listening again it
/// wakes them once, for whatever was queued (and notified) in the meantime.
/// </summary>
/// <remarks>
/// Its connection is the first to see the database go away (a restart, a failover, the backend
/// terminated). The pool's idle connections then point at the same dead server, and Npgsql does
/// not check a pooled connection before handing it out: each would fail once, in a claim, a
/// commit or an API call. So a lost listening connection clears the pools: the engine's data
/// source, and the connection-string pools of the read side (EF Core) and Hangfire.
/// </remarks>
public sealed partial class PostgresWorkListener(NpgsqlDataSource dataSource, WorkSignal signal, ILogger<PostgresWorkListener> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            var listening = false;
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
                connection.Notification += (_, _) => signal.Set();
                await using (var listen = new NpgsqlCommand($"LISTEN {PostgresEngineStore.Channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                failures = 0;
                listening = true;
                signal.Set();
                while (!stoppingToken.IsCancellationRequested)
                {
                    await connection.WaitAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                if (listening)
                {
                    dataSource.Clear();
                    NpgsqlConnection.ClearAllPools();
                }

                var delay = RetryDelay.For(++failures, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10));
                LogListenFailed(ex, Math.Round(delay.TotalMilliseconds));
                await Task.Delay(delay, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Listening for work notifications failed; reconnecting in {DelayMs} ms.")]
    private partial void LogListenFailed(Exception exception, double delayMs);
}
