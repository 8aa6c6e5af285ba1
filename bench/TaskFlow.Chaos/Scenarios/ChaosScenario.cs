using System.Diagnostics;
using TaskFlow.Chaos.Harness;

namespace TaskFlow.Chaos.Scenarios;

/// <summary>
/// A fault scenario: runs a workload on worker processes, injects its fault while the workload
/// runs, lets it finish and audits the database. Every run starts on a fresh database.
/// </summary>
public abstract class ChaosScenario
{
    public abstract string Name { get; }

    public async Task<ScenarioFigures> RunAsync(ScenarioSettings settings, Action<string>? log = null)
    {
        var figures = new ScenarioFigures(Name);
        var clock = Stopwatch.StartNew();
        try
        {
            await using var context = await PrepareAsync();
            for (var run = 0; run < settings.Runs; run++)
            {
                await using var chaos = await ChaosRun.StartAsync(ServerFor(context), settings, WorkerConnectionSettings);
                var faultEnds = new List<long>();
                try
                {
                    await chaos.StartInstancesAsync();
                    await InjectAsync(context, chaos, settings, figures, faultEnds);
                    if (!await chaos.WaitFinishedAsync())
                    {
                        figures.Problems.Add($"run {run + 1}: instances still running {settings.FinishTimeout.TotalSeconds:F0} s after the last fault");
                    }

                    await chaos.ProbeWakeUpAsync(figures);
                    await chaos.AuditAsync(figures, faultEnds);
                }
                catch (Exception ex)
                {
                    figures.Problems.Add($"run {run + 1}: {ex}");
                }

                figures.Runs++;
                if (figures.Problems.Count > 0)
                {
                    log?.Invoke(chaos.WorkerOutput());
                    break;
                }
            }
        }
        finally
        {
            figures.Elapsed = clock.Elapsed;
        }

        return figures;
    }

    /// <summary>Extra connection string settings for the workers' connections.</summary>
    protected virtual string? WorkerConnectionSettings => null;

    /// <summary>Sets up what the runs share (a private server); disposed after the last run.</summary>
    protected virtual Task<IAsyncDisposable> PrepareAsync() => Task.FromResult<IAsyncDisposable>(new Nothing());

    /// <summary>The PostgreSQL server the runs use: the shared test server unless the scenario brings its own.</summary>
    protected virtual string ServerFor(IAsyncDisposable context) => Testing.TestDatabases.PostgresServer;

    /// <summary>Injects <see cref="ScenarioSettings.Faults"/> faults while the workload runs, recording when each ended.</summary>
    protected abstract Task InjectAsync(IAsyncDisposable context, ChaosRun chaos, ScenarioSettings settings, ScenarioFigures figures, List<long> faultEnds);

    /// <summary>The share of the workload to wait for before fault <paramref name="index"/>, spreading the faults over the run.</summary>
    protected static double Before(int index, ScenarioSettings settings) => 0.8 * (index + 1) / (settings.Faults + 1);

    private sealed class Nothing : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
