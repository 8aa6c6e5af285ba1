using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TaskFlow.Chaos.Consistency;
using TaskFlow.Chaos.Harness;
using TaskFlow.Engine.Hosting;
using TaskFlow.Engine.Runtime;

namespace TaskFlow.Chaos.Scenarios;

/// <summary>
/// SQLite on a small tmpfs that fills up in the middle of a run: commits and starts fail with
/// SQLite's "database or disk is full" (SQLITE_FULL) once they need space, nothing stored is lost or
/// corrupted (<c>PRAGMA integrity_check</c>), and once space returns the run finishes. Runs the
/// engine in this process, as the embedded default does.
/// </summary>
public static class SqliteDiskFullScenario
{
    public const string Name = "sqlite-disk-full";

    public static async Task<ScenarioFigures> RunAsync(ScenarioSettings settings)
    {
        var figures = new ScenarioFigures(Name);
        var clock = Stopwatch.StartNew();
        using var disk = SmallDisk.Mount(megabytes: 48);
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddTaskFlowEngine(o =>
        {
            o.DataDirectory = disk.Folder;
            o.MaxConcurrency = settings.WorkerConcurrency;
            o.ClaimBatchSize = settings.WorkerConcurrency;
            o.LeaseDuration = TimeSpan.FromSeconds(settings.LeaseSeconds);
            o.Limits = new Core.Validation.WorkflowLimits { MaxSubtasks = 10_000 };
        });
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var runtime = host.Services.GetRequiredService<WorkflowRuntime>();
            await runtime.SaveDefinitionAsync(ChaosRun.FanOutDefinition(settings.Branches, settings.BranchDuration));
            var started = new List<string>();
            for (var i = 0; i < settings.Instances; i++)
            {
                started.Add(await runtime.StartAsync(ChaosRun.DefinitionId, new JsonObject { ["n"] = i }));
            }

            var total = settings.Instances * (settings.Branches + 3);
            for (var fault = 0; fault < settings.Faults; fault++)
            {
                await WaitAsync(disk, $"SELECT COUNT(*) >= {total * (fault + 1) / (settings.Faults + 2)} FROM tf_journal WHERE type = 12");
                await disk.FillAsync();
                figures.Faults++;

                // SQLite writes into pages its files already hold, so the first starts may still
                // succeed; they must then finish like the others. Once a write needs a new page it
                // must fail, saying why.
                string? error = null;
                for (var attempt = 0; attempt < 5_000 && error is null; attempt++)
                {
                    try
                    {
                        started.Add(await runtime.StartAsync(ChaosRun.DefinitionId, new JsonObject { ["whileFull"] = attempt }));
                    }
                    catch (SqliteException ex) when (ex.SqliteErrorCode == 13)
                    {
                        error = ex.Message;
                    }
                }

                if (error is null)
                {
                    figures.Problems.Add("5,000 starts on a full disk all succeeded: the disk never reported full");
                }
                else
                {
                    figures.Notes["error while full"] = $"\"{error}\"";
                }

                await Task.Delay(TimeSpan.FromSeconds(2));
                disk.Free();
                figures.RecoveryMs.Add(await FirstSuccessAfterAsync(disk, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
            }

            figures.Instances = started.Count;
            await WaitAsync(disk, "SELECT NOT EXISTS (SELECT 1 FROM tf_instances WHERE status = 0)");
            await using var connection = Open(disk);
            await using (var integrity = new SqliteCommand("PRAGMA integrity_check", connection))
            {
                var result = (string?)await integrity.ExecuteScalarAsync();
                figures.Notes["integrity_check"] = result ?? "(none)";
                if (result != "ok")
                {
                    figures.Problems.Add($"PRAGMA integrity_check answered '{result}'");
                }
            }

            foreach (var id in started)
            {
                await using var command = new SqliteCommand("SELECT status, (SELECT COUNT(DISTINCT node_id) FROM tf_journal WHERE instance_id = @i AND type = 12) FROM tf_instances WHERE id = @i", connection);
                command.Parameters.AddWithValue("i", id);
                await using var reader = await command.ExecuteReaderAsync();
                if (!await reader.ReadAsync())
                {
                    figures.Lost++;
                    figures.Problems.Add($"instance {id} is missing");
                }
                else if (reader.GetInt32(0) != 1 || reader.GetInt64(1) != settings.Branches + 3)
                {
                    figures.Lost++;
                    figures.Problems.Add($"instance {id} ended with status {reader.GetInt32(0)} and {reader.GetInt64(1)} node successes");
                }
            }

            var consistency = await DatabaseConsistency.CheckAsync(connection);
            figures.Doubled += consistency.Doubled.Count;
            figures.Problems.AddRange(consistency.Problems);
            figures.Runs = 1;
        }
        catch (Exception ex)
        {
            figures.Problems.Add(ex.ToString());
        }
        finally
        {
            await host.StopAsync();
            figures.Elapsed = clock.Elapsed;
        }

        return figures;
    }

    private static SqliteConnection Open(SmallDisk disk)
    {
        var connection = new SqliteConnection($"Data Source={Path.Combine(disk.Folder, "taskflow.db")};Pooling=False");
        connection.Open();
        return connection;
    }

    private static async Task WaitAsync(SmallDisk disk, string condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        while (DateTime.UtcNow < deadline)
        {
            await using (var connection = Open(disk))
            {
                await using var command = new SqliteCommand(condition, connection);
                if (Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture) == 1)
                {
                    return;
                }
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"Waited 3 minutes in vain for: {condition}");
    }

    private static async Task<double> FirstSuccessAfterAsync(SmallDisk disk, long sinceMs)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromMinutes(3))
        {
            await using (var connection = Open(disk))
            {
                await using var command = new SqliteCommand("SELECT MIN(at) FROM tf_journal WHERE type = 12 AND at >= @t", connection);
                command.Parameters.AddWithValue("t", sinceMs);
                if (await command.ExecuteScalarAsync() is long first)
                {
                    return first - sinceMs;
                }
            }

            await Task.Delay(50);
        }

        throw new TimeoutException("No node succeeded within 3 minutes after space returned.");
    }
}
