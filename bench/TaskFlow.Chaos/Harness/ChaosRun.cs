using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using TaskFlow.Chaos.Consistency;
using TaskFlow.Chaos.Scenarios;
using TaskFlow.Core.Validation;
using TaskFlow.Engine.Hosting;
using TaskFlow.Engine.Runtime;

namespace TaskFlow.Chaos.Harness;

/// <summary>
/// One run of a scenario: a fresh database, an engine in this process that stores definitions and
/// starts instances but runs no work, and <c>taskflow worker</c> processes that do. The audit at the
/// end checks the database, not what the processes said.
/// </summary>
public sealed class ChaosRun : IAsyncDisposable
{
    public const string DefinitionId = "chaos";

    // The idle safety net is pushed out of reach: a worker then wakes only on NOTIFY, its own
    // commits and the queue's due times, so a LISTEN that was not re-established after a fault
    // shows as an instance that never finishes (see ProbeWakeUpAsync).
    private static readonly Dictionary<string, string> WorkerEnvironment = new(StringComparer.Ordinal)
    {
        ["TaskFlow__Engine__MaxIdleWait"] = "01:00:00",
    };

    private readonly ChaosDatabase _database;
    private readonly IHost _driver;
    private readonly ScenarioSettings _settings;
    private readonly string? _workerSettings;
    private readonly List<string> _started = [];
    private int _workerCount;

    private ChaosRun(ChaosDatabase database, IHost driver, ScenarioSettings settings, string? workerSettings)
    {
        _database = database;
        _driver = driver;
        _settings = settings;
        _workerSettings = workerSettings;
    }

    public ChaosDatabase Database => _database;

    public List<TaskflowProcess> Workers { get; } = [];

    /// <summary>Node successes one instance journals when it runs to the end: start, the branches, join, end.</summary>
    public int NodesPerInstance => _settings.Branches + 3;

    public static long NowMs => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    /// <param name="server">The PostgreSQL server's administrative connection string.</param>
    /// <param name="workerSettings">Extra connection string settings for the workers (a statement timeout, a pool size).</param>
    public static async Task<ChaosRun> StartAsync(string server, ScenarioSettings settings, string? workerSettings = null)
    {
        var database = await ChaosDatabase.CreateAsync(server);
        IHost? driver = null;
        try
        {
            var builder = Host.CreateApplicationBuilder();
            builder.Logging.ClearProviders();
            builder.Services.AddTaskFlowEngine(o =>
            {
                o.PostgresConnectionString = database.ConnectionString + ";Application Name=chaos-driver";
                o.RunWorkers = false;
                o.Limits = new WorkflowLimits { MaxSubtasks = 10_000 };
            });
            driver = builder.Build();
            await driver.StartAsync();
            var run = new ChaosRun(database, driver, settings, workerSettings);
            await run.Runtime.SaveDefinitionAsync(FanOutDefinition(settings.Branches, settings.BranchDuration));
            for (var i = 0; i < settings.Workers; i++)
            {
                await run.StartWorkerAsync();
            }

            return run;
        }
        catch
        {
            if (driver is not null)
            {
                await driver.StopAsync();
                driver.Dispose();
            }

            await database.DisposeAsync();
            throw;
        }
    }

    private WorkflowRuntime Runtime => _driver.Services.GetRequiredService<WorkflowRuntime>();

    public async Task<TaskflowProcess> StartWorkerAsync()
    {
        var name = $"chaos-w{++_workerCount}";
        var worker = await TaskflowProcess.StartWorkerAsync(_database.ConnectionString, name, _settings.WorkerConcurrency, _settings.LeaseSeconds, _workerSettings, WorkerEnvironment);
        Workers.Add(worker);
        return worker;
    }

    public async Task StartInstancesAsync()
    {
        for (var i = 0; i < _settings.Instances; i++)
        {
            _started.Add(await Runtime.StartAsync(DefinitionId, new JsonObject { ["n"] = i }));
        }
    }

    /// <summary>Waits until at least <paramref name="fraction"/> of all the run's nodes have succeeded.</summary>
    public Task WaitForProgressAsync(double fraction) =>
        PollAsync($"SELECT COUNT(*) >= {(long)(fraction * _settings.Instances * NodesPerInstance)} FROM tf_journal WHERE type = 12", $"{fraction:P0} of the nodes to succeed");

    /// <summary>Waits until no instance of the run is running, or the timeout passes.</summary>
    public async Task<bool> WaitFinishedAsync()
    {
        try
        {
            await PollAsync("SELECT NOT EXISTS (SELECT 1 FROM tf_instances WHERE status = 0)", "every instance to finish");
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    // Polls a condition on one connection, opening a new one when a fault cut it.
    private async Task PollAsync(string condition, string what)
    {
        var deadline = DateTime.UtcNow + _settings.FinishTimeout;
        NpgsqlConnection? connection = null;
        try
        {
            while (DateTime.UtcNow < deadline)
            {
                try
                {
                    connection ??= await _database.OpenAsync();
                    await using var command = new NpgsqlCommand(condition, connection);
                    if (await command.ExecuteScalarAsync() is true)
                    {
                        return;
                    }
                }
                catch (NpgsqlException)
                {
                    if (connection is not null)
                    {
                        await connection.DisposeAsync();
                    }

                    connection = null;
                }

                await Task.Delay(50);
            }

            throw new TimeoutException($"Waited {_settings.FinishTimeout.TotalSeconds:F0} s in vain for {what}.");
        }
        finally
        {
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// After a fault that took the whole server down: this process runs no workers, so it has no
    /// listening connection to notice the loss and clear its pool (as worker processes do), and
    /// its pooled connections still point at the server before the restart.
    /// </summary>
    public void ServerRestarted()
    {
        _driver.Services.GetRequiredService<NpgsqlDataSource>().Clear();
        NpgsqlConnection.ClearAllPools();
    }

    /// <summary>
    /// After the faults, with every worker idle: one more instance, started by this process, must
    /// run. Only a NOTIFY can wake the workers for it (their idle wait is an hour), so this fails
    /// when a worker did not LISTEN again after losing its connection.
    /// </summary>
    public async Task ProbeWakeUpAsync(ScenarioFigures figures)
    {
        // Long enough for every claim loop to find the queue empty and go to sleep.
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var id = await StartProbeAsync();
        var view = await Runtime.WaitAsync(id, TimeSpan.FromSeconds(60));
        if (view is null || view.Status != Core.Model.InstanceStatus.Succeeded)
        {
            figures.Problems.Add($"an instance started after the faults was not run within 60 s (status {view?.Status}): a worker is not listening for work notifications");
        }
    }

    // A pooled connection may also have been cut by a fault aimed at one connection. The start key
    // makes the retry safe: a start that did commit is found, not repeated.
    private async Task<string> StartProbeAsync()
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return (await Runtime.StartAsync(DefinitionId, new JsonObject { ["probe"] = true }, null, "chaos-probe")).InstanceId;
            }
            catch (NpgsqlException ex) when (attempt < 20 && ex.IsTransient)
            {
                await Task.Delay(100);
            }
        }
    }

    /// <summary>
    /// Checks what the database holds against what was started and adds it to the figures: lost
    /// and unfinished instances, doubled transitions, stranded rows, and per fault the recovery
    /// time (from the fault's end to the first node success after it).
    /// </summary>
    public async Task AuditAsync(ScenarioFigures figures, IReadOnlyList<long> faultEndsMs)
    {
        await using var connection = await _database.OpenAsync();
        var seen = new Dictionary<string, (int Status, long Nodes, string? Error)>(StringComparer.Ordinal);
        await using (var command = new NpgsqlCommand(
            "SELECT i.id, i.status, i.error, (SELECT COUNT(DISTINCT j.node_id) FROM tf_journal j WHERE j.instance_id = i.id AND j.type = 12) FROM tf_instances i WHERE i.definition_id = @d", connection))
        {
            command.Parameters.AddWithValue("d", DefinitionId);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                seen[reader.GetString(0)] = (reader.GetInt32(1), reader.GetInt64(3), reader.IsDBNull(2) ? null : reader.GetString(2));
            }
        }

        figures.Instances += _started.Count;
        foreach (var id in _started)
        {
            if (!seen.TryGetValue(id, out var state))
            {
                figures.Lost++;
                figures.Problems.Add($"instance {id} was started but is not in the database");
            }
            else if (state.Status == 0)
            {
                figures.Unfinished++;
            }
            else if (state.Status != 1)
            {
                figures.Problems.Add($"instance {id} ended with status {state.Status}: {state.Error}");
            }
            else if (state.Nodes != NodesPerInstance)
            {
                figures.Lost++;
                figures.Problems.Add($"instance {id} succeeded with {state.Nodes} of {NodesPerInstance} node successes journaled");
            }
        }

        var consistency = await DatabaseConsistency.CheckAsync(connection);
        figures.Doubled += consistency.Doubled.Count;
        figures.Problems.AddRange(consistency.Problems);
        foreach (var end in faultEndsMs)
        {
            await using var command = new NpgsqlCommand("SELECT MIN(at) FROM tf_journal WHERE type = 12 AND at >= @t", connection);
            command.Parameters.AddWithValue("t", end);
            if (await command.ExecuteScalarAsync() is long first)
            {
                figures.RecoveryMs.Add(first - end);
            }
        }

        figures.Notes["node successes"] = (await CountAsync(connection, "SELECT COUNT(*) FROM tf_journal WHERE type = 12")).ToString(System.Globalization.CultureInfo.InvariantCulture);
        figures.Notes["leases reclaimed"] = (await CountAsync(connection, "SELECT COUNT(*) FROM tf_journal WHERE type = 19")).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The first lease taken over by another worker after <paramref name="sinceMs"/>, as epoch milliseconds.</summary>
    public async Task<long?> FirstReclaimAfterAsync(long sinceMs, string killed)
    {
        await using var connection = await _database.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT MIN(at) FROM tf_journal WHERE type = 19 AND at >= @t AND worker <> @w", connection);
        command.Parameters.AddWithValue("t", sinceMs);
        command.Parameters.AddWithValue("w", killed);
        return await command.ExecuteScalarAsync() as long?;
    }

    public string WorkerOutput() => string.Join(Environment.NewLine, Workers.Select(w => $"--- {w.Name}{Environment.NewLine}{Tail(w.Output)}"));

    public async ValueTask DisposeAsync()
    {
        foreach (var worker in Workers)
        {
            await worker.DisposeAsync();
        }

        try
        {
            await _driver.StopAsync();
        }
        finally
        {
            _driver.Dispose();
            await _database.DisposeAsync();
        }
    }

    private static async Task<long> CountAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static string Tail(string output)
    {
        var lines = output.Split(Environment.NewLine);
        return string.Join(Environment.NewLine, lines.Skip(Math.Max(0, lines.Length - 30)).Select(l => l.Length > 300 ? l[..300] + " ..." : l));
    }

    //          ┌──> b1 ──┐
    //  start ──┼──> ...  ├──> join(WaitAll) ──> end
    //          └──> bN ──┘
    internal static string FanOutDefinition(int branches, string duration)
    {
        var nodes = new JsonArray { new JsonObject { ["id"] = "start", ["type"] = "noop" } };
        var edges = new JsonArray();
        for (var i = 1; i <= branches; i++)
        {
            nodes.Add(new JsonObject { ["id"] = $"b{i}", ["type"] = "sleep", ["inputs"] = new JsonObject { ["duration"] = duration } });
            edges.Add(new JsonObject { ["from"] = "start", ["to"] = $"b{i}" });
            edges.Add(new JsonObject { ["from"] = $"b{i}", ["to"] = "join" });
        }

        nodes.Add(new JsonObject { ["id"] = "join", ["type"] = "join", ["inputs"] = new JsonObject { ["mode"] = "WaitAll" } });
        nodes.Add(new JsonObject { ["id"] = "end", ["type"] = "noop" });
        edges.Add(new JsonObject { ["from"] = "join", ["to"] = "end" });
        return new JsonObject { ["id"] = DefinitionId, ["nodes"] = nodes, ["edges"] = edges }.ToJsonString();
    }
}
