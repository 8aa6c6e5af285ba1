using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace TaskFlow.Bench;

/// <summary>
/// The floor under a checkpointed chain step on PostgreSQL, from .NET: one connection sending
/// <c>BEGIN; INSERT; COMMIT</c> as one batch (one round trip, as TaskFlow's commit is), one commit
/// after the other, through the same Npgsql and data-source settings as the engine. pgbench's
/// figure beside it sends the three statements one by one from C.
/// </summary>
internal static class CommitFloor
{
    public static async Task<double> RunAsync(string server, TimeSpan duration)
    {
        var connection = await BenchDatabases.CreateAsync(server, "floor");
        try
        {
            await using var source = TaskFlow.Engine.Hosting.TaskFlowEngineServiceCollectionExtensions.CreateDataSource(connection);
            await using var open = await source.OpenConnectionAsync();
            await using (var create = new NpgsqlCommand("CREATE TABLE t (id bigserial PRIMARY KEY, v int)", open))
            {
                await create.ExecuteNonQueryAsync();
            }

            // A second of warm-up, then the measured commits.
            var rate = 0.0;
            foreach (var span in new[] { TimeSpan.FromSeconds(1), duration })
            {
                var commits = 0;
                var clock = Stopwatch.StartNew();
                while (clock.Elapsed < span)
                {
                    await using var batch = new NpgsqlBatch(open) { BatchCommands = { new("BEGIN"), new("INSERT INTO t (v) VALUES (1)"), new("COMMIT") } };
                    await batch.ExecuteNonQueryAsync();
                    commits++;
                }

                rate = commits / clock.Elapsed.TotalSeconds;
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"npgsql floor: one connection, BEGIN; INSERT; COMMIT as one batch for {duration.TotalSeconds:0} s: {rate:0} commits/s"));
            return rate;
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await BenchDatabases.DropAsync(server, connection);
        }
    }
}
