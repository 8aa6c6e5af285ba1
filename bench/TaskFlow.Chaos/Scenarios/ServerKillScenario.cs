using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Npgsql;
using TaskFlow.Chaos.Consistency;
using TaskFlow.Chaos.Harness;
using TaskFlow.Testing;

namespace TaskFlow.Chaos.Scenarios;

/// <summary>
/// A server killed (SIGKILL) while callers wait on it: two <c>taskflow serve</c> processes on one
/// PostgreSQL database, short leases. Callers post to an HTTP-triggered workflow on server A
/// (a sleep, then its output, the trigger waiting for it) and start instances through A's API, and
/// follow each of those instances' live event stream (SSE) on A. A is killed while all of it is in
/// flight. Afterwards: every instance that was created finishes, on B, exactly once per node (the
/// journal); every event stream, picked up again on B with <c>Last-Event-ID</c>, reads the rest of
/// its journal to the end with no event twice and none missing; the database is consistent.
/// Callers whose request died with A get a connection error, never a wrong answer. Recovery is the
/// time from the kill to the last instance finishing; each kill is one run.
/// </summary>
public static class ServerKillScenario
{
    public const string Name = "server-kill-http-sse";

    private const string Key = "server-kill-key-0123456789";

    private const string Definition = """
        { "id": "orders",
          "triggers": [ { "type": "http", "path": "orders", "methods": ["POST"], "auth": "none", "wait": "30s" } ],
          "nodes": [
            { "id": "work", "type": "sleep", "inputs": { "duration": "1500ms" } },
            { "id": "done", "type": "transform", "inputs": { "value": "{{ input.body.n }}" } } ],
          "edges": [ { "from": "work", "to": "done" } ] }
        """;

    public static async Task<ScenarioFigures> RunAsync(ServerKillSettings settings, Action<string>? log = null)
    {
        var figures = new ScenarioFigures(Name);
        var clock = Stopwatch.StartNew();
        await using var database = await ChaosDatabase.CreateAsync(TestDatabases.PostgresServer);
        var environment = new Dictionary<string, string>
        {
            ["TaskFlow__Engine__Provider"] = "Postgres",
            ["TaskFlow__Engine__PostgresConnectionString"] = database.ConnectionString,
            ["TaskFlow__Engine__LeaseDuration"] = "00:00:03",
            ["TaskFlow__Jobs__Enabled"] = "false",
        };
        var survivor = await ServerProcess.StartAsync(Key, environment);
        ServerProcess? victim = null;
        try
        {
            await SaveAsync(survivor.Url);
            for (var run = 0; run < settings.Runs; run++)
            {
                victim = await ServerProcess.StartAsync(Key, environment);
                await KillDuringCallsAsync(victim, survivor, settings, figures);
                victim = null;
                figures.Runs++;
            }

            await AuditAsync(database, figures);
        }
        catch (Exception ex)
        {
            figures.Problems.Add(ex.ToString());
        }
        finally
        {
            if (!figures.Passed)
            {
                log?.Invoke(survivor.Output);
            }

            if (victim is not null)
            {
                await victim.DisposeAsync();
            }

            await survivor.DisposeAsync();
            figures.Elapsed = clock.Elapsed;
        }

        return figures;
    }

    private static async Task KillDuringCallsAsync(ServerProcess victim, ServerProcess survivor, ServerKillSettings settings, ScenarioFigures figures)
    {
        using var toVictim = ServerProcess.ClientFor(victim.Url, Key);
        using var toSurvivor = ServerProcess.ClientFor(survivor.Url, Key);

        // Instances started through the victim's API, each followed live on the victim.
        var followed = new List<(string Id, Task<Stream> Stream)>();
        for (var i = 0; i < settings.Streams; i++)
        {
            using var started = await toVictim.PostAsync("/api/definitions/orders/run", Json(new JsonObject { ["input"] = new JsonObject { ["body"] = new JsonObject { ["n"] = -1 - i } } }));
            var id = JsonNode.Parse(await started.Content.ReadAsStringAsync())!["id"]!.GetValue<string>();
            var request = new HttpRequestMessage(HttpMethod.Get, $"/api/instances/{id}/events");
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
            followed.Add((id, toVictim.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).ContinueWith(t => t.Result.Content.ReadAsStreamAsync(), TaskScheduler.Default).Unwrap()));
        }

        var readers = followed.Select(f => ReadEventsAsync(f.Stream)).ToList();
        var calls = Enumerable.Range(0, settings.Calls).Select(n => CallAsync(toVictim, n)).ToList();

        // Kill while the calls wait on their sleeps and the streams are open: once every call's
        // instance runs (or after a while, when some never got that far).
        var waiting = Stopwatch.StartNew();
        while (waiting.Elapsed < settings.KillAfter && await RunningAsync(toSurvivor) < settings.Streams + settings.Calls)
        {
            await Task.Delay(50);
        }

        figures.Faults++;
        await victim.DisposeAsync();
        var killedAt = ChaosRun.NowMs;

        var answers = await Task.WhenAll(calls);
        var answered = answers.Count(a => a is not null);
        figures.Count("calls answered before the kill", answered);
        figures.Count("calls cut by the kill", answers.Length - answered);
        for (var n = 0; n < answers.Length; n++)
        {
            // The workflow has no output template: its output is its end node's, by node id.
            if (answers[n] is { } answer && answer != new JsonObject { ["done"] = n }.ToJsonString())
            {
                figures.Problems.Add($"call {n} was answered '{answer}'");
            }
        }

        // Each stream: what the victim sent before it died, then the rest from the survivor.
        for (var i = 0; i < followed.Count; i++)
        {
            var before = await readers[i];
            var last = before.Count == 0 ? 0 : before[^1].Id;
            var request = new HttpRequestMessage(HttpMethod.Get, $"/api/instances/{followed[i].Id}/events");
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
            request.Headers.Add("Last-Event-ID", last.ToString(CultureInfo.InvariantCulture));
            using var response = await toSurvivor.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            var after = await ReadEventsAsync(response.Content.ReadAsStreamAsync());
            figures.Count("stream events before the kill", before.Count);
            figures.Count("stream events after", after.Count);
            var all = before.Concat(after).ToList();
            var ids = all.Where(e => e.Type != "end").Select(e => e.Id).ToList();
            if (ids.Count != ids.Distinct().Count() || !ids.SequenceEqual(ids.Order()))
            {
                figures.Problems.Add($"stream of {followed[i].Id}: events out of order or twice: {string.Join(",", ids)}");
            }

            if (all.Count == 0 || all[^1].Type != "end")
            {
                figures.Problems.Add($"stream of {followed[i].Id} did not reach its end on the surviving server");
            }

            await CompareWithJournalAsync(toSurvivor, followed[i].Id, ids, figures);
        }

        // Recovery: the kill to the last of the run's instances finishing (on the survivor).
        var finished = await WaitAllFinishedAsync(toSurvivor, TimeSpan.FromSeconds(60));
        if (finished is null)
        {
            figures.Problems.Add("instances still running 60 s after the kill");
        }
        else
        {
            figures.RecoveryMs.Add(Math.Max(0, finished.Value - killedAt));
        }
    }

    /// <summary>The trigger's answer (the workflow's output), or null when the connection died with the server.</summary>
    private static async Task<string?> CallAsync(HttpClient client, int n)
    {
        try
        {
            using var response = await client.PostAsync("/workflows/orders", Json(new JsonObject { ["n"] = n }));
            var body = await response.Content.ReadAsStringAsync();
            return response.StatusCode == HttpStatusCode.OK ? body.Trim() : $"HTTP {(int)response.StatusCode}: {body}";
        }
        catch (HttpRequestException)
        {
            return null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private sealed record Event(long Id, string Type);

    /// <summary>Reads SSE events until the stream ends (the <c>end</c> event, or the server died).</summary>
    private static async Task<List<Event>> ReadEventsAsync(Task<Stream> opening)
    {
        var events = new List<Event>();
        try
        {
            using var reader = new StreamReader(await opening);
            long id = 0;
            string? type = null;
            while (await reader.ReadLineAsync() is { } line)
            {
                if (line.StartsWith("id:", StringComparison.Ordinal))
                {
                    id = long.Parse(line[3..].Trim(), CultureInfo.InvariantCulture);
                }
                else if (line.StartsWith("event:", StringComparison.Ordinal))
                {
                    type = line[6..].Trim();
                }
                else if (line.Length == 0 && type is not null)
                {
                    events.Add(new Event(id, type));
                    if (type == "end")
                    {
                        break;
                    }

                    type = null;
                }
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            // The server died under the stream: what was read stands.
        }

        return events;
    }

    /// <summary>The stream's events must be the instance's whole journal, as the API lists it.</summary>
    private static async Task CompareWithJournalAsync(HttpClient client, string instanceId, List<long> streamed, ScenarioFigures figures)
    {
        var journal = JsonNode.Parse(await client.GetStringAsync($"/api/instances/{instanceId}/journal"))!;
        var entries = (journal as JsonArray ?? journal["items"]?.AsArray() ?? journal["entries"]?.AsArray())!;
        var ids = entries.Select(e => e!["id"]!.GetValue<long>()).Order().ToList();
        if (!ids.SequenceEqual(streamed))
        {
            figures.Problems.Add($"stream of {instanceId}: {streamed.Count} events, the journal has {ids.Count} (missing {string.Join(",", ids.Except(streamed).Take(10))})");
        }
    }

    private static async Task<int> RunningAsync(HttpClient client)
    {
        var running = JsonNode.Parse(await client.GetStringAsync("/api/instances?definition=orders&status=Running&take=1000"))!;
        return (running as JsonArray ?? running["items"]!.AsArray()).Count;
    }

    /// <summary>Waits until no instance of the workflow runs; answers when the last one finished (Unix ms), or null.</summary>
    private static async Task<long?> WaitAllFinishedAsync(HttpClient client, TimeSpan patience)
    {
        var deadline = DateTime.UtcNow + patience;
        while (DateTime.UtcNow < deadline)
        {
            var running = JsonNode.Parse(await client.GetStringAsync("/api/instances?definition=orders&status=Running&take=1"))!;
            var items = running as JsonArray ?? running["items"]!.AsArray();
            if (items.Count == 0)
            {
                return ChaosRun.NowMs;
            }

            await Task.Delay(100);
        }

        return null;
    }

    private static async Task AuditAsync(ChaosDatabase database, ScenarioFigures figures)
    {
        await using var connection = await database.OpenAsync();
        var report = await DatabaseConsistency.CheckAsync(connection);
        figures.Problems.AddRange(report.Stranded);
        figures.Doubled += report.Doubled.Count;
        figures.Problems.AddRange(report.Doubled);
        await using (var command = new NpgsqlCommand("SELECT status, COUNT(*) FROM tf_instances WHERE definition_id = 'orders' GROUP BY status", connection))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                var count = (int)reader.GetInt64(1);
                figures.Instances += count;
                if (reader.GetInt32(0) != 1)
                {
                    figures.Lost += count;
                    figures.Problems.Add($"{count} instances ended with status {reader.GetInt32(0)}, not succeeded");
                }
            }
        }

        // Every node of every instance succeeded once: two nodes each.
        await using (var nodes = new NpgsqlCommand("SELECT COUNT(*) FROM tf_journal j JOIN tf_instances i ON i.id = j.instance_id WHERE i.definition_id = 'orders' AND j.type = 12", connection))
        {
            var successes = (long)(await nodes.ExecuteScalarAsync())!;
            figures.Notes["node successes"] = successes.ToString(CultureInfo.InvariantCulture);
            if (successes != 2L * figures.Instances)
            {
                figures.Problems.Add($"{successes} node successes for {figures.Instances} instances of two nodes");
            }
        }
    }

    private static async Task SaveAsync(string url)
    {
        using var client = ServerProcess.ClientFor(url, Key);
        using var response = await client.PostAsync("/api/definitions", new StringContent(Definition, Encoding.UTF8, "application/json"));
        if (response.StatusCode != HttpStatusCode.Created)
        {
            throw new InvalidOperationException($"Saving the workflow gave {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }


    private static StringContent Json(JsonObject body) => new(body.ToJsonString(), Encoding.UTF8, "application/json");

}

/// <summary>How much is in flight when the server is killed, and how often.</summary>
public sealed record ServerKillSettings
{
    /// <summary>Kills, each of a fresh server beside the same survivor.</summary>
    public int Runs { get; init; } = 1;

    /// <summary>Callers waiting on the HTTP trigger when the server dies.</summary>
    public int Calls { get; init; } = 16;

    /// <summary>Instances started through the API and followed live.</summary>
    public int Streams { get; init; } = 4;

    /// <summary>The longest wait for every call's instance to run before the kill (each instance sleeps 1.5 s).</summary>
    public TimeSpan KillAfter { get; init; } = TimeSpan.FromSeconds(5);

    public static ServerKillSettings Ci { get; } = new();

    public static ServerKillSettings Bench { get; } = new() { Runs = 10, Calls = 50, Streams = 10 };
}
