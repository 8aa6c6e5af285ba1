using Npgsql;
using TaskFlow.Chaos.Harness;

namespace TaskFlow.Chaos.Scenarios;

/// <summary>
/// Every connection of one worker killed with <c>pg_terminate_backend</c>, again and again,
/// taking the workers in turn: its claims, commits, heartbeats and its LISTEN connection all
/// fail mid-use. A fault counts once per round that terminated at least one backend.
/// </summary>
public sealed class BackendTerminationScenario : ChaosScenario
{
    public override string Name => "postgres-terminate";

    protected override async Task InjectAsync(IAsyncDisposable context, ChaosRun chaos, ScenarioSettings settings, ScenarioFigures figures, List<long> faultEnds)
    {
        for (var i = 0; i < settings.Faults; i++)
        {
            await chaos.WaitForProgressAsync(Before(i, settings));
            var victim = chaos.Workers[i % chaos.Workers.Count].Name;
            await using var connection = await chaos.Database.OpenAsync();
            await using var terminate = new NpgsqlCommand(
                "SELECT COUNT(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND application_name = @a", connection);
            terminate.Parameters.AddWithValue("a", victim);
            var killed = (long)(await terminate.ExecuteScalarAsync() ?? 0L);
            if (killed > 0)
            {
                figures.Faults++;
                faultEnds.Add(ChaosRun.NowMs);
            }

            figures.Notes["backends terminated"] = (long.Parse(figures.Notes.GetValueOrDefault("backends terminated", "0"), System.Globalization.CultureInfo.InvariantCulture) + killed).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
    }
}
