using System.Net;
using System.Net.Sockets;
using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Npgsql;
using TaskFlow.Engine.Jobs;
using TaskFlow.Server.Tests.Deployment;
using TaskFlow.Server.Tests.Infrastructure;
using TaskFlow.Testing;
using Xunit.Abstractions;

namespace TaskFlow.Server.Tests.Jobs;

/// <summary>
/// Three TaskFlow servers on one PostgreSQL database, each running a Hangfire server, with a
/// cron trigger every two seconds; meanwhile the recurring job is also fired by hand, several
/// times at once. Every tick must start exactly one instance.
/// </summary>
public sealed class CronExactlyOnceTests(ITestOutputHelper output)
{
    private const string Definition = """
        { "id": "ticker", "triggers": [ { "type": "cron", "cron": "*/2 * * * * *" } ],
          "nodes": [ { "id": "a", "type": "noop" } ], "edges": [] }
        """;

    [Fact]
    public async Task CronTick_ThreeServersOnePostgres_StartsExactlyOneInstancePerTick()
    {
        var (connection, drop) = await TestDatabases.CreatePostgresAsync();
        var data = TestDatabases.CreateFolder("taskflow-cron-");
        var servers = new List<(TaskFlowProcess Process, HttpClient Client)>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                var port = TaskFlowProcess.FreePort();
                var process = TaskFlowProcess.Start("dotnet", [Path.Combine(AppContext.BaseDirectory, "taskflow.dll"), "serve"], new Dictionary<string, string>
                {
                    ["TaskFlow__Engine__PostgresConnectionString"] = connection,
                    ["TaskFlow__Engine__DataDirectory"] = Path.Combine(data.Folder, $"server{i}"),
                    ["TaskFlow__Server__Urls"] = $"http://127.0.0.1:{port}",
                    ["TaskFlow__Server__ApiKeys__0"] = TaskFlowApp.Key,
                    ["TaskFlow__Jobs__SchedulePollingInterval"] = "00:00:01",
                }, data.Folder);
                var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
                client.DefaultRequestHeaders.Add("X-Api-Key", TaskFlowApp.Key);
                servers.Add((process, client));
            }

            foreach (var (process, client) in servers)
            {
                await process.WaitReadyAsync(client, TimeSpan.FromSeconds(60));
            }

            using (var saved = await servers[0].Client.PostAsync("/api/definitions", TaskFlowApp.JsonBody(Definition)))
            {
                Assert.Equal(HttpStatusCode.Created, saved.StatusCode);
            }

            var storage = new PostgreSqlStorage(new NpgsqlConnectionFactory(connection, new PostgreSqlStorageOptions { SchemaName = "hangfire" }), new PostgreSqlStorageOptions { SchemaName = "hangfire", PrepareSchemaIfNecessary = false });
            Assert.Equal(3, storage.GetMonitoringApi().Servers().Count);

            // Fire the recurring job by hand too, three at once, every 1.5 s, while the cron runs.
            var manager = new RecurringJobManager(storage);
            var jobId = CronTriggerJob.JobId("ticker", 0);
            for (var round = 0; round < 8; round++)
            {
                await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Task.Run(() => manager.Trigger(jobId))));
                await Task.Delay(TimeSpan.FromMilliseconds(1500));
            }

            // Stop the schedule, then let the runs already queued finish.
            using (var deleted = await servers[1].Client.DeleteAsync("/api/definitions/ticker"))
            {
                Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
            }

            var runs = await WaitForQueuedRunsAsync(storage);

            var started = await StartedTicksAsync(connection);
            output.WriteLine($"{runs} trigger runs, {started.Count} instances: {string.Join(", ", started.Select(s => s.Tick.ToString("HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture)))}");
            Assert.True(started.Count >= 4, $"only {started.Count} ticks started in about 12 s of a two-second schedule");
            Assert.True(runs > started.Count, $"{runs} runs for {started.Count} instances: the duplicate runs this test makes did not happen");
            Assert.Equal(started.Count, started.Select(s => s.Tick).Distinct().Count());
            Assert.Equal(started.Count, started.Select(s => s.InstanceId).Distinct().Count());
            Assert.All(started, s => Assert.Equal(0, s.Tick.Second % 2));

            // No tick between the first and the last was passed over.
            var ticks = started.Select(s => s.Tick).Order().ToList();
            Assert.Equal(Enumerable.Range(0, ticks.Count).Select(i => ticks[0].AddSeconds(2 * i)), ticks);
            Assert.Equal(started.Count, await CountAsync(connection, "SELECT count(*) FROM tf_instances WHERE definition_id = 'ticker'"));
        }
        finally
        {
            foreach (var (process, client) in servers)
            {
                client.Dispose();
                await process.DisposeAsync();
            }

            await drop();
            await data.Delete();
        }
    }

    /// <summary>Waits until no trigger run is queued or processing; returns how many succeeded.</summary>
    private static async Task<long> WaitForQueuedRunsAsync(JobStorage storage)
    {
        var monitoring = storage.GetMonitoringApi();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            var stats = monitoring.GetStatistics();
            if (stats.Enqueued == 0 && stats.Processing == 0)
            {
                break;
            }

            await Task.Delay(250);
        }

        return monitoring.SucceededJobs(0, 10_000).Count(j => j.Value.Job?.Type == typeof(CronTriggerJob));
    }

    private static async Task<List<(string InstanceId, DateTimeOffset Tick)>> StartedTicksAsync(string connection)
    {
        await using var db = new NpgsqlConnection(connection);
        await db.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT k.instance_id, k.start_key FROM tf_start_keys k JOIN tf_instances i ON i.id = k.instance_id WHERE i.definition_id = 'ticker' ORDER BY k.start_key", db);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(string, DateTimeOffset)>();
        while (await reader.ReadAsync())
        {
            var key = reader.GetString(1);
            rows.Add((reader.GetString(0), DateTimeOffset.Parse(key["cron:ticker:0:".Length..], System.Globalization.CultureInfo.InvariantCulture)));
        }

        return rows;
    }

    private static async Task<long> CountAsync(string connection, string sql)
    {
        await using var db = new NpgsqlConnection(connection);
        await db.OpenAsync();
        await using var command = new NpgsqlCommand(sql, db);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
