using System.Diagnostics;
using Npgsql;
using TaskFlow.Chaos.Harness;

namespace TaskFlow.Chaos.Scenarios;

/// <summary>
/// Three workers on one database; one is killed with SIGKILL while its connection is inside a
/// commit's transaction (seen in <c>pg_stat_activity</c> between the commit's statements, or running
/// its instance lock, lease delete or inserts), and a new worker
/// replaces it. The others take over its leases once they expire; the takeover time (kill to the
/// first lease reclaimed by another worker) is the recovery figure.
/// </summary>
public sealed class KillInTransactionScenario : ChaosScenario
{
    public override string Name => "worker-kill-in-commit";

    protected override async Task InjectAsync(IAsyncDisposable context, ChaosRun chaos, ScenarioSettings settings, ScenarioFigures figures, List<long> faultEnds)
    {
        while (chaos.Workers.Count < 3)
        {
            await chaos.StartWorkerAsync();
        }

        var caught = 0;
        for (var i = 0; i < settings.Faults; i++)
        {
            await chaos.WaitForProgressAsync(Before(i, settings));
            var victim = chaos.Workers.Where(w => !w.HasExited).First();
            if (await WaitInTransactionAsync(chaos, victim.Name, TimeSpan.FromSeconds(10)))
            {
                caught++;
            }

            victim.KillHard();
            var killedAt = ChaosRun.NowMs;
            figures.Faults++;
            chaos.Workers.Remove(victim);
            await victim.DisposeAsync();
            await chaos.StartWorkerAsync();
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(settings.LeaseSeconds * 10);
            while (DateTime.UtcNow < deadline)
            {
                if (await chaos.FirstReclaimAfterAsync(killedAt, victim.Name) is { } reclaimed)
                {
                    figures.RecoveryMs.Add(reclaimed - killedAt);
                    break;
                }

                await Task.Delay(50);
            }
        }

        figures.Notes["killed inside a transaction"] = $"{caught}/{settings.Faults}";
    }

    private static async Task<bool> WaitInTransactionAsync(ChaosRun chaos, string worker, TimeSpan patience)
    {
        await using var connection = await chaos.Database.OpenAsync();
        await using var query = new NpgsqlCommand("""
            SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND application_name = @a
              AND (state = 'idle in transaction'
                   OR (state = 'active' AND (query LIKE '%ORDER BY id FOR UPDATE' OR query LIKE 'DELETE FROM tf_work_items w USING%' OR query LIKE 'INSERT INTO tf_%')))
            """, connection);
        query.Parameters.AddWithValue("a", worker);
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < patience)
        {
            if (await query.ExecuteScalarAsync() is not null)
            {
                return true;
            }
        }

        return false;
    }
}
