using System.Diagnostics;
using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Hangfire.Storage;

namespace TaskFlow.Bench.Hangfire;

/// <summary>
/// The job-per-activity baseline for the engine benchmark: plain Hangfire on PostgreSQL,
/// one no-op job per activity, with Hangfire's own defaults.
/// </summary>
public static class HangfireBaseline
{
    /// <summary>The longest a run may take before it fails with a <see cref="TimeoutException"/>.</summary>
    public static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(10);

    // How long to wait for the server's own shutdown; the run's figure is already taken by then.
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(30);

    // Storage is polled only after every job has run in-process, when the last Succeeded
    // transitions are a few milliseconds away, so a short interval costs little and keeps
    // the measured end close to the real one.
    private static readonly TimeSpan SucceededPollInterval = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan ServerStartPollInterval = TimeSpan.FromMilliseconds(50);

    // Runs share the schema and the job counter, so one run at a time per process.
    private static readonly SemaphoreSlim s_oneRunAtATime = new(1, 1);

    /// <summary>
    /// Runs <paramref name="jobs"/> no-op Hangfire jobs on PostgreSQL storage (Hangfire.PostgreSql,
    /// schema <c>hangfire_bench</c>, dropped and re-created first), enqueueing and running them
    /// together in this process, with Hangfire's default server settings (worker count, poll interval).
    /// </summary>
    /// <param name="postgresConnectionString">An Npgsql connection string; the user must be able to drop and create schemas.</param>
    /// <param name="jobs">How many jobs to run; at least 1.</param>
    /// <param name="cancellationToken">Cancels the run; the server is still stopped and disposed.</param>
    /// <returns>
    /// The wall time from the first enqueue until storage shows every job Succeeded. The server
    /// has started (announced itself in storage) before the clock starts; its shutdown is not timed.
    /// </returns>
    /// <exception cref="TimeoutException">The run did not finish within <see cref="RunTimeout"/>.</exception>
    /// <exception cref="InvalidOperationException">Storage does not hold exactly <paramref name="jobs"/> Succeeded jobs at the end.</exception>
    /// <remarks>
    /// Turns off Hangfire's logging process-wide (<c>UseNoOpLogProvider</c>) so the benchmark's
    /// output stays readable; runs in one process are serialized.
    /// </remarks>
    public static async Task<HangfireBaselineResult> RunAsync(
        string postgresConnectionString,
        int jobs,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(postgresConnectionString);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(jobs);

        await s_oneRunAtATime.WaitAsync(cancellationToken);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(RunTimeout);
            try
            {
                return await RunExclusiveAsync(postgresConnectionString, jobs, timeout.Token);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException(
                    $"The Hangfire baseline did not finish {jobs} jobs within {RunTimeout.TotalMinutes:0.#} minutes. " +
                    "Check that the PostgreSQL server is up and not starved, or run fewer jobs.");
            }
        }
        finally
        {
            s_oneRunAtATime.Release();
        }
    }

    private static async Task<HangfireBaselineResult> RunExclusiveAsync(
        string connectionString,
        int jobs,
        CancellationToken cancellationToken)
    {
        GlobalConfiguration.Configuration.UseNoOpLogProvider();

        await BaselineSchema.DropAsync(connectionString, cancellationToken);
        var storage = CreateStorage(connectionString);
        var monitoring = storage.GetMonitoringApi();
        var client = new BackgroundJobClient(storage);

        // Hangfire's defaults are the honest baseline: nothing here tunes the server.
        var serverOptions = new BackgroundJobServerOptions();
        var allExecuted = NoOpJob.Expect(jobs);

        var server = new BackgroundJobServer(serverOptions, storage);
        try
        {
            await WaitForServerStartAsync(monitoring, cancellationToken);

            var stopwatch = Stopwatch.StartNew();
            await Task.Run(
                () =>
                {
                    for (var i = 0; i < jobs; i++)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        client.Enqueue(() => NoOpJob.Run());
                    }
                },
                cancellationToken);

            await allExecuted.WaitAsync(cancellationToken);
            while (monitoring.SucceededListCount() < jobs)
            {
                await Task.Delay(SucceededPollInterval, cancellationToken);
            }

            stopwatch.Stop();

            VerifySucceeded(monitoring, jobs);
            var elapsed = stopwatch.Elapsed;
            return new HangfireBaselineResult(jobs, elapsed, jobs / elapsed.TotalSeconds, serverOptions.WorkerCount);
        }
        finally
        {
            await StopAsync(server);
        }
    }

    private static PostgreSqlStorage CreateStorage(string connectionString)
    {
        var options = new PostgreSqlStorageOptions
        {
            SchemaName = BaselineSchema.Name,
            PrepareSchemaIfNecessary = true,

            // Without storage the run cannot measure anything: fail at construction instead
            // of starting degraded and timing out ten minutes later.
            AllowDegradedModeWithoutStorage = false,
        };
        return new PostgreSqlStorage(new NpgsqlConnectionFactory(connectionString, options), options);
    }

    // The server registers itself and starts its workers in the background; starting the
    // clock only after it has announced itself keeps its start-up out of the figure.
    private static async Task WaitForServerStartAsync(IMonitoringApi monitoring, CancellationToken cancellationToken)
    {
        while (monitoring.Servers().Count == 0)
        {
            await Task.Delay(ServerStartPollInterval, cancellationToken);
        }
    }

    private static void VerifySucceeded(IMonitoringApi monitoring, int jobs)
    {
        var succeeded = monitoring.SucceededListCount();
        if (succeeded != jobs)
        {
            throw new InvalidOperationException(
                $"The Hangfire baseline enqueued {jobs} jobs but storage holds {succeeded} Succeeded jobs " +
                $"(failed: {monitoring.FailedCount()}). Another process may be using schema '{BaselineSchema.Name}'; " +
                "give each benchmark its own database or run them one after another.");
        }
    }

    private static async Task StopAsync(BackgroundJobServer server)
    {
        server.SendStop();
        using var shutdown = new CancellationTokenSource(ShutdownTimeout);
        try
        {
            await server.WaitForShutdownAsync(shutdown.Token);
        }
        catch (OperationCanceledException)
        {
            // A server that does not stop in time is still disposed below; its figure is already taken.
        }

        server.Dispose();
    }
}
