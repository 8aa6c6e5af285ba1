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
            await HoldLocksAsync(chaos);
            figures.Faults++;
            faultEnds.Add(ChaosRun.NowMs);
        }
    }

    private static async Task HoldLocksAsync(ChaosRun chaos)
    {
        while (true)
        {
            await using var connection = await chaos.Database.OpenAsync();
            await using var transaction = await connection.BeginTransactionAsync();
            try
            {
                // Taking the two tables one after the other can deadlock with a commit that holds
                // its instance rows and waits for the queue; PostgreSQL then cancels one side,
                // and when it is this one, the lock is simply taken again.
                await using var lockTables = new NpgsqlCommand("LOCK TABLE tf_instances, tf_work_items IN ACCESS EXCLUSIVE MODE", connection, transaction);
                await lockTables.ExecuteNonQueryAsync();
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.DeadlockDetected)
            {
                continue;
            }

            await Task.Delay(Hold);
            await transaction.CommitAsync();
            return;
        }
    }
}
