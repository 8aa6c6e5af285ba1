using Npgsql;
using TaskFlow.Chaos.Harness;

namespace TaskFlow.Chaos.Scenarios;

/// <summary>
/// Statement timeouts and an exhausted connection pool: the workers run with
/// <c>statement_timeout</c> of one second and a pool of four connections (one of them held by
/// LISTEN), and the queue and instance tables are locked for three seconds at a time. Claims,
/// commits and heartbeats time out in the database or wait for a pooled connection in vain.
/// </summary>
public sealed class LockStormScenario : ChaosScenario
{
    private static readonly TimeSpan Hold = TimeSpan.FromSeconds(3);

    public override string Name => "statement-timeout-pool";

    protected override string? WorkerConnectionSettings => "Options=-c statement_timeout=1000;Maximum Pool Size=4;Timeout=2";

    protected override async Task InjectAsync(IAsyncDisposable context, ChaosRun chaos, ScenarioSettings settings, ScenarioFigures figures, List<long> faultEnds)
    {
        for (var i = 0; i < settings.Faults; i++)
        {
            await chaos.WaitForProgressAsync(Before(i, settings));
            await using var connection = await chaos.Database.OpenAsync();
            await using (var transaction = await connection.BeginTransactionAsync())
            {
                await using var lockTables = new NpgsqlCommand("LOCK TABLE tf_work_items, tf_instances IN ACCESS EXCLUSIVE MODE", connection, transaction);
                await lockTables.ExecuteNonQueryAsync();
                await Task.Delay(Hold);
                await transaction.CommitAsync();
            }

            figures.Faults++;
            faultEnds.Add(ChaosRun.NowMs);
        }
    }
}
