using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using TaskFlow.Engine.Persistence;

namespace TaskFlow.Engine.Dispatch;

/// <summary>
/// Holds one connection in <c>LISTEN taskflow_work</c> and wakes this process's claim loop when
/// any process commits new work. Reconnects with backoff; while disconnected, workers still
/// wake at the queue's next due time.
/// </summary>
public sealed partial class PostgresWorkListener(NpgsqlDataSource dataSource, WorkSignal signal, ILogger<PostgresWorkListener> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var backoff = TimeSpan.FromMilliseconds(200);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
                connection.Notification += (_, _) => signal.Set();
                await using (var listen = new NpgsqlCommand($"LISTEN {PostgresEngineStore.Channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                backoff = TimeSpan.FromMilliseconds(200);
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
                LogListenFailed(ex, backoff.TotalMilliseconds);
                await Task.Delay(backoff, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
                backoff = TimeSpan.FromMilliseconds(Math.Min(10_000, backoff.TotalMilliseconds * 2));
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Listening for work notifications failed; reconnecting in {DelayMs} ms.")]
    private partial void LogListenFailed(Exception exception, double delayMs);
}
