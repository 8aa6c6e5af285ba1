using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Npgsql;
using TaskFlow.Chaos.Harness;
using TaskFlow.Testing;

namespace TaskFlow.Chaos.Scenarios;

/// <summary>
/// Cron over time: three <c>taskflow serve</c> processes on one PostgreSQL database, each running a
/// Hangfire server with the default polling interval (15 s), and a workflow whose cron trigger fires
/// every second. Every <see cref="CronOverTimeSettings.KillEvery"/> one of the servers is killed
/// (SIGKILL) in turn and a new one started in its place, so at least two always run. At the end
/// every second from the publication to the end of the run must have started exactly one instance:
/// a missed tick is lost, a second instance for one tick (or one without its tick's start key) is
/// doubled. The start lag (from the tick to its instance's creation) shows Hangfire's polling.
/// </summary>
public static class CronOverTimeScenario
{
    public const string Name = "cron-over-time";

    private const string Key = "cron-over-time-key-0123456789";

    private const string Definition = """
        { "id": "ticker", "triggers": [ { "type": "cron", "cron": "* * * * * *" } ],
          "nodes": [ { "id": "a", "type": "noop" } ], "edges": [] }
        """;

    public static async Task<ScenarioFigures> RunAsync(CronOverTimeSettings settings, Action<string>? log = null)
    {
        var figures = new ScenarioFigures(Name);
        var clock = Stopwatch.StartNew();
        await using var database = await ChaosDatabase.CreateAsync(TestDatabases.PostgresServer);
        var environment = new Dictionary<string, string>(settings.ServerSettings)
        {
            ["TaskFlow__Engine__Provider"] = "Postgres",
            ["TaskFlow__Engine__PostgresConnectionString"] = database.ConnectionString,
        };
        var servers = new List<ServerProcess>();
        try
        {
            servers.AddRange(await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => ServerProcess.StartAsync(Key, environment))));
            var published = await PublishAsync(servers[0].Url);
            var end = published + settings.Duration;
            var next = 0;
            while (DateTimeOffset.UtcNow + settings.KillEvery < end)
            {
                await Task.Delay(settings.KillEvery);

                // Kill one (SIGKILL, as its dispose does) and start its replacement; the other two run on.
                figures.Faults++;
                var victim = servers[next];
                await victim.DisposeAsync();
                servers[next] = await ServerProcess.StartAsync(Key, environment);
                next = (next + 1) % servers.Count;
            }

            if (end > DateTimeOffset.UtcNow)
            {
                await Task.Delay(end - DateTimeOffset.UtcNow);
            }

            // The ticks up to the end are started at the latest one polling interval (and a run) later.
            await Task.Delay(settings.Settle);
            figures.Runs = 1;
            await AuditAsync(database, published, end, figures);
        }
        catch (Exception ex)
        {
            figures.Problems.Add(ex.ToString());
        }
        finally
        {
            if (!figures.Passed)
            {
                foreach (var server in servers)
                {
                    log?.Invoke(server.Output);
                }
            }

            foreach (var server in servers)
            {
                await server.DisposeAsync();
            }

            figures.Elapsed = clock.Elapsed;
        }

        return figures;
    }

    /// <summary>Saves (and so publishes) the ticking workflow; answers its version's creation time, from when ticks count.</summary>
    private static async Task<DateTimeOffset> PublishAsync(string url)
    {
        using var client = ServerProcess.ClientFor(url, Key);
        using var response = await client.PostAsync("/api/definitions", new StringContent(Definition, Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.Created)
        {
            throw new InvalidOperationException($"Saving the ticking workflow gave {(int)response.StatusCode}: {body}");
        }

        return DateTimeOffset.Parse(JsonNode.Parse(body)!["createdAt"]!.GetValue<string>(), CultureInfo.InvariantCulture);
    }

    private static async Task AuditAsync(ChaosDatabase database, DateTimeOffset published, DateTimeOffset end, ScenarioFigures figures)
    {
        await using var connection = await database.OpenAsync();
        var started = new Dictionary<DateTimeOffset, int>();
        var lags = new List<double>();
        await using (var command = new NpgsqlCommand("SELECT k.start_key, i.created_at FROM tf_start_keys k JOIN tf_instances i ON i.id = k.instance_id WHERE i.definition_id = 'ticker'", connection))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                var tick = DateTimeOffset.Parse(reader.GetString(0)["cron:ticker:0:".Length..], CultureInfo.InvariantCulture);
                started[tick] = started.GetValueOrDefault(tick) + 1;
                lags.Add(reader.GetInt64(1) - tick.ToUnixTimeMilliseconds());
            }
        }

        long instances;
        await using (var count = new NpgsqlCommand("SELECT count(*) FROM tf_instances WHERE definition_id = 'ticker'", connection))
        {
            instances = (long)(await count.ExecuteScalarAsync())!;
        }

        // Every whole second from the second after the publication's up to the end is a tick (the
        // recurring job is registered a few milliseconds after the version is stored).
        var first = DateTimeOffset.FromUnixTimeSeconds(published.ToUnixTimeSeconds() + 2);
        var expected = new List<DateTimeOffset>();
        for (var tick = first; tick <= end; tick = tick.AddSeconds(1))
        {
            expected.Add(tick);
        }

        var missed = expected.Where(t => !started.ContainsKey(t)).ToList();
        figures.Instances = (int)instances;
        figures.Lost = missed.Count;
        figures.Doubled = (int)(instances - started.Count) + started.Values.Sum(n => n - 1);
        figures.Notes["ticks expected"] = expected.Count.ToString(CultureInfo.InvariantCulture);
        figures.Notes["ticks started"] = started.Keys.Count(t => t >= first && t <= end).ToString(CultureInfo.InvariantCulture);
        var sorted = lags.Order().ToArray();
        if (sorted.Length > 0)
        {
            figures.Notes["start lag"] = string.Create(CultureInfo.InvariantCulture, $"p50 {sorted[sorted.Length / 2] / 1000:F1} s max {sorted[^1] / 1000:F1} s");
        }

        if (missed.Count > 0)
        {
            figures.Problems.Add($"{missed.Count} of {expected.Count} ticks started no instance, e.g. {string.Join(", ", missed.Take(10).Select(t => t.ToString("HH:mm:ss", CultureInfo.InvariantCulture)))}");
        }

        if (figures.Doubled > 0)
        {
            figures.Problems.Add($"{instances} instances for {started.Count} ticks");
        }
    }
}

/// <summary>How long the cron scenario runs, and how often it kills a server.</summary>
public sealed record CronOverTimeSettings
{
    /// <summary>How long the trigger ticks (one tick a second) before the audit.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(50);

    /// <summary>A server is killed and replaced this often.</summary>
    public TimeSpan KillEvery { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How long after the end the audit waits: the polling interval and a run.</summary>
    public TimeSpan Settle { get; init; } = TimeSpan.FromSeconds(25);

    /// <summary>Configuration of every server (environment variables), on top of the database.</summary>
    public IReadOnlyDictionary<string, string> ServerSettings { get; init; } = new Dictionary<string, string>();

    /// <summary>The CI size: 50 ticks, a kill every 15 s.</summary>
    public static CronOverTimeSettings Ci { get; } = new();

    /// <summary>The bench size: 1,000 ticks (about 17 minutes), a kill a minute.</summary>
    public static CronOverTimeSettings Bench { get; } = new() { Duration = TimeSpan.FromSeconds(1000), KillEvery = TimeSpan.FromSeconds(60) };
}
