using TaskFlow.Chaos.Harness;

namespace TaskFlow.Chaos.Scenarios;

/// <summary>
/// Every worker process killed with SIGKILL at once, then as many fresh ones started: the state
/// afterwards is that of the last commits, and the new workers reclaim every lease left behind.
/// Recovery is from the kill to the first node success after it (worker start-up included).
/// </summary>
public sealed class KillAllScenario : ChaosScenario
{
    public override string Name => "kill-all-workers";

    protected override async Task InjectAsync(IAsyncDisposable context, ChaosRun chaos, ScenarioSettings settings, ScenarioFigures figures, List<long> faultEnds)
    {
        for (var i = 0; i < settings.Faults; i++)
        {
            await chaos.WaitForProgressAsync(Before(i, settings));
            var doomed = chaos.Workers.ToArray();
            Parallel.ForEach(doomed, w => w.KillHard());
            var killedAt = ChaosRun.NowMs;
            figures.Faults++;
            foreach (var worker in doomed)
            {
                chaos.Workers.Remove(worker);
                await worker.DisposeAsync();
            }

            faultEnds.Add(killedAt);
            for (var w = 0; w < doomed.Length; w++)
            {
                await chaos.StartWorkerAsync();
            }
        }
    }
}
