using TaskFlow.Chaos.Harness;

namespace TaskFlow.Chaos.Scenarios;

/// <summary>
/// The database server restarted with <c>pg_ctl restart -m immediate</c> in the middle of a run:
/// every connection of every worker dies at once, uncommitted transactions are lost, and the
/// server replays its WAL. Workers reconnect, listen again and finish the work.
/// </summary>
public sealed class PostgresRestartScenario : ChaosScenario
{
    public override string Name => "postgres-restart";

    protected override async Task<IAsyncDisposable> PrepareAsync() => await PrivatePostgres.StartAsync();

    protected override string ServerFor(IAsyncDisposable context) => ((PrivatePostgres)context).ConnectionString;

    protected override async Task InjectAsync(IAsyncDisposable context, ChaosRun chaos, ScenarioSettings settings, ScenarioFigures figures, List<long> faultEnds)
    {
        var server = (PrivatePostgres)context;
        for (var i = 0; i < settings.Faults; i++)
        {
            await chaos.WaitForProgressAsync(Before(i, settings));
            await server.RestartImmediateAsync();
            chaos.ServerRestarted();
            figures.Faults++;
            faultEnds.Add(ChaosRun.NowMs);
        }
    }
}
