using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using TaskFlow.Chaos.Consistency;
using TaskFlow.Chaos.Harness;
using TaskFlow.Testing;

namespace TaskFlow.Chaos.Scenarios;

/// <summary>
/// The embedded default (one <c>taskflow serve</c> on SQLite in WAL mode) killed (SIGKILL) during
/// a checkpoint, again and again, under a fan-out workload. In WAL mode commits go to the
/// <c>-wal</c> file and only a checkpoint writes the main database file, so the scenario kills the
/// process on the first write it sees to <c>taskflow.db</c>. Whether the kill landed inside the
/// checkpoint is read afterwards from the <c>-shm</c> file's checkpoint record: a checkpoint that
/// had begun copying pages but not finished has <c>nBackfillAttempted</c> above <c>nBackfill</c>.
/// After each kill: <c>PRAGMA integrity_check</c> is ok and the server starts again on the same
/// files; at the end every instance has finished, every node succeeded once, and the database is
/// consistent.
/// </summary>
public static class SqliteCheckpointKillScenario
{
    public const string Name = "sqlite-checkpoint-kill";

    private const string Key = "checkpoint-kill-key-0123456789";

    private static readonly Dictionary<string, string> Environment = new() { ["TaskFlow__Engine__Limits__MaxSubtasks"] = "10000" };

    public static async Task<ScenarioFigures> RunAsync(ScenarioSettings settings, Action<string>? log = null)
    {
        var figures = new ScenarioFigures(Name);
        var clock = Stopwatch.StartNew();
        var (folder, delete) = TestDatabases.CreateFolder("taskflow-checkpoint-kill-");
        var database = Path.Combine(folder, "taskflow.db");
        ServerProcess? server = null;
        try
        {
            server = await ServerProcess.StartAsync(Key, Environment, folder);
            using (var client = ServerProcess.ClientFor(server.Url, Key))
            {
                await SendAsync(client, "/api/definitions", ChaosRun.FanOutDefinition(settings.Branches, settings.BranchDuration), HttpStatusCode.Created);
                for (var i = 0; i < settings.Instances; i++)
                {
                    await SendAsync(client, "/api/definitions/chaos/run", new JsonObject { ["input"] = new JsonObject { ["n"] = i } }.ToJsonString(), HttpStatusCode.Accepted);
                }
            }

            figures.Instances = settings.Instances;
            for (var fault = 0; fault < settings.Faults; fault++)
            {
                // More work keeps arriving until the kill, so the WAL grows until a checkpoint runs.
                using var feeding = new CancellationTokenSource();
                var feeder = FeedAsync(server.Url, feeding.Token);
                var written = await KillOnCheckpointAsync(server, database, TimeSpan.FromSeconds(60));
                await feeding.CancelAsync();
                figures.Instances += await feeder;
                figures.Faults++;
                var (attempted, done) = CheckpointRecord(database + "-shm");
                if (written && attempted > done)
                {
                    figures.Count("kills inside a checkpoint", 1);
                }
                else
                {
                    figures.Count("kills outside one", 1);
                }

                await server.DisposeAsync();
                server = null;
                await CheckIntegrityAsync(database, figures);
                var restart = Stopwatch.StartNew();
                server = await ServerProcess.StartAsync(Key, Environment, folder);
                figures.RecoveryMs.Add(restart.Elapsed.TotalMilliseconds);
            }

            figures.Runs = 1;
            var deadline = DateTime.UtcNow + settings.FinishTimeout;
            while (!await FinishedAsync(database) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(250);
            }

            await AuditAsync(database, settings.Branches + 3, figures);
        }
        catch (Exception ex)
        {
            figures.Problems.Add(ex.ToString());
        }
        finally
        {
            if (server is not null)
            {
                if (!figures.Passed)
                {
                    log?.Invoke(server.Output);
                }

                await server.DisposeAsync();
            }

            await delete();
            figures.Elapsed = clock.Elapsed;
        }

        return figures;
    }

    /// <summary>Starts an instance every 50 ms until cancelled or the server dies; answers how many it accepted.</summary>
    private static async Task<int> FeedAsync(string url, CancellationToken cancellationToken)
    {
        using var client = ServerProcess.ClientFor(url, Key);
        var accepted = 0;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                using var response = await client.PostAsync("/api/definitions/chaos/run", new StringContent("""{ "input": { "n": -1 } }""", Encoding.UTF8, "application/json"), cancellationToken);
                if (response.StatusCode == HttpStatusCode.Accepted)
                {
                    accepted++;
                }

                await Task.Delay(50, cancellationToken);
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or IOException)
        {
            // Killed, or told to stop: what was accepted stands.
        }

        return accepted;
    }

    /// <summary>Kills the server on the first write to the main database file (a checkpoint), or after <paramref name="patience"/>; answers whether a write was seen.</summary>
    private static async Task<bool> KillOnCheckpointAsync(ServerProcess server, string database, TimeSpan patience)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var watcher = new FileSystemWatcher(Path.GetDirectoryName(database)!, Path.GetFileName(database)) { NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.Size };
        watcher.Changed += (_, _) =>
        {
            server.Kill();
            seen.TrySetResult();
        };
        watcher.EnableRaisingEvents = true;
        var written = await Task.WhenAny(seen.Task, Task.Delay(patience)) == seen.Task;
        server.Kill();
        return written;
    }

    /// <summary>
    /// The checkpoint record of a WAL index (<c>-shm</c>): <c>nBackfillAttempted</c> (set when a
    /// checkpoint starts copying frames) and <c>nBackfill</c> (set when it has copied and synced
    /// them). The record follows the two 48-byte copies of the index header; SQLite writes it in
    /// the machine's byte order.
    /// </summary>
    private static (uint Attempted, uint Done) CheckpointRecord(string shm)
    {
        if (!File.Exists(shm))
        {
            return (0, 0);
        }

        using var file = new FileStream(shm, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var record = new byte[132];
        if (file.Read(record, 0, record.Length) < record.Length)
        {
            return (0, 0);
        }

        var done = BitConverter.IsLittleEndian ? BinaryPrimitives.ReadUInt32LittleEndian(record.AsSpan(96)) : BinaryPrimitives.ReadUInt32BigEndian(record.AsSpan(96));
        var attempted = BitConverter.IsLittleEndian ? BinaryPrimitives.ReadUInt32LittleEndian(record.AsSpan(128)) : BinaryPrimitives.ReadUInt32BigEndian(record.AsSpan(128));
        return (attempted, done);
    }

    private static SqliteConnection Open(string database)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = database, Pooling = false, DefaultTimeout = 30 }.ConnectionString);
        connection.Open();
        return connection;
    }

    private static async Task CheckIntegrityAsync(string database, ScenarioFigures figures)
    {
        await using var connection = Open(database);
        await using var integrity = new SqliteCommand("PRAGMA integrity_check", connection);
        var result = (string?)await integrity.ExecuteScalarAsync();
        if (result != "ok")
        {
            figures.Problems.Add($"after kill {figures.Faults}: PRAGMA integrity_check answered '{result}'");
        }
    }

    private static async Task<bool> FinishedAsync(string database)
    {
        await using var connection = Open(database);
        await using var command = new SqliteCommand("SELECT NOT EXISTS (SELECT 1 FROM tf_instances WHERE status = 0)", connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture) == 1;
    }

    private static async Task AuditAsync(string database, int nodesPerInstance, ScenarioFigures figures)
    {
        await using var connection = Open(database);
        await CheckIntegrityAsync(database, figures);
        var report = await DatabaseConsistency.CheckAsync(connection);
        figures.Problems.AddRange(report.Stranded);
        figures.Doubled += report.Doubled.Count;
        figures.Problems.AddRange(report.Doubled);
        await using var command = new SqliteCommand("SELECT i.id, i.status, (SELECT COUNT(DISTINCT node_id) FROM tf_journal WHERE instance_id = i.id AND type = 12) FROM tf_instances i", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var found = 0;
        while (await reader.ReadAsync())
        {
            found++;
            if (reader.GetInt32(1) == 0)
            {
                figures.Unfinished++;
                figures.Problems.Add($"instance {reader.GetString(0)} still running after the last kill");
            }
            else if (reader.GetInt32(1) != 1 || reader.GetInt64(2) != nodesPerInstance)
            {
                figures.Lost++;
                figures.Problems.Add($"instance {reader.GetString(0)} ended with status {reader.GetInt32(1)} and {reader.GetInt64(2)} of {nodesPerInstance} nodes succeeded");
            }
        }

        // An instance stored by a request whose answer the kill cut off is one more than accepted.
        figures.Notes["instances stored"] = found.ToString(CultureInfo.InvariantCulture);
        if (found < figures.Instances)
        {
            figures.Lost += figures.Instances - found;
            figures.Problems.Add($"{found} instances stored, {figures.Instances} accepted");
        }
    }

    private static async Task SendAsync(HttpClient client, string path, string json, HttpStatusCode expected)
    {
        using var response = await client.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
        if (response.StatusCode != expected)
        {
            throw new InvalidOperationException($"POST {path} gave {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }


}
