using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TaskFlow.Bench;
using TaskFlow.Bench.Hangfire;
using TaskFlow.Core.Model;
using TaskFlow.Core.Validation;
using TaskFlow.Engine.Hosting;
using TaskFlow.Engine.Runtime;

// Usage: dotnet run -c Release --project bench/TaskFlow.Bench -- [--postgres CONN] [--n 1000] [--runs 5] [--warmups 2]
//        [--concurrency 256] [--only sqlite|postgres] [--shape fanout|chain|fanout-pure|chain-pure] [--hangfire]
//        The -pure shapes run a no-op declared pure, which runs inside the commit that readied it
//        (no checkpoint per step); the others checkpoint every step.
//        or: --memory [--rounds 10] [--instances 200]   (heap after each round of instances, SQLite)
// Without --postgres only SQLite runs. Prints one line per measurement.
var postgres = Arg("--postgres") ?? Environment.GetEnvironmentVariable("TASKFLOW_TEST_POSTGRES");
var n = int.Parse(Arg("--n") ?? "1000", CultureInfo.InvariantCulture);
var runs = int.Parse(Arg("--runs") ?? "5", CultureInfo.InvariantCulture);
var hangfire = args.Contains("--hangfire");
var only = Arg("--only");
var concurrency = int.Parse(Arg("--concurrency") ?? "256", CultureInfo.InvariantCulture);
var warmups = int.Parse(Arg("--warmups") ?? "2", CultureInfo.InvariantCulture);
var summary = new List<string>();
double? postgresFanOut = null;

if (args.Contains("--memory"))
{
    await MemoryRun.RunAsync(int.Parse(Arg("--rounds") ?? "10", CultureInfo.InvariantCulture), int.Parse(Arg("--instances") ?? "200", CultureInfo.InvariantCulture));
    return 0;
}

Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; n = {n}, runs = {runs}, max concurrency = {concurrency}");
foreach (var provider in new[] { "sqlite", "postgres" })
{
    if ((provider == "postgres" && postgres is null) || (only is not null && only != provider))
    {
        continue;
    }

    foreach (var shape in new[] { "fanout", "chain", "fanout-pure", "chain-pure" })
    {
        if (Arg("--shape") is { } wanted && wanted != shape)
        {
            continue;
        }

        // Warm-up runs let tiered JIT compilation settle; they are not reported.
        for (var run = 1; run <= warmups; run++)
        {
            await RunEngineAsync(provider, shape, n, concurrency);
        }

        var rates = new List<double>();
        for (var run = 1; run <= runs; run++)
        {
            var result = await RunEngineAsync(provider, shape, n, concurrency);
            rates.Add(result.Nodes / result.Elapsed.TotalSeconds);
            var latency = shape.StartsWith("chain", StringComparison.Ordinal) ? string.Create(CultureInfo.InvariantCulture, $"; completion->start p50 {result.P50:0.000} ms, p99 {result.P99:0.000} ms") : "";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{provider,-8} {shape,-11} run {run}: {result.Nodes} nodes in {result.Elapsed.TotalMilliseconds:0.0} ms = {result.Nodes / result.Elapsed.TotalSeconds:0} activities/s") + latency + result.Commits + (shape.EndsWith("-pure", StringComparison.Ordinal) ? " (caller-timed)" : ""));
        }

        rates.Sort();
        summary.Add(string.Create(CultureInfo.InvariantCulture, $"{provider} {shape}: median {rates[rates.Count / 2]:0} activities/s (min {rates[0]:0}, max {rates[^1]:0})"));
        if (provider == "postgres" && shape == "fanout")
        {
            postgresFanOut = rates[rates.Count / 2];
        }
    }
}

if (hangfire && postgres is not null)
{
    var rates = new List<double>();
    for (var run = 1; run <= runs; run++)
    {
        var baseline = await HangfireBaseline.RunAsync(await FreshDatabaseAsync(postgres, "hangfire"), n);
        rates.Add(baseline.JobsPerSecond);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"hangfire baseline run {run}: {baseline.Jobs} no-op jobs in {baseline.Elapsed.TotalMilliseconds:0} ms = {baseline.JobsPerSecond:0} jobs/s ({baseline.WorkerCount} workers)"));
    }

    rates.Sort();
    var median = rates[rates.Count / 2];
    summary.Add(string.Create(CultureInfo.InvariantCulture, $"hangfire baseline: median {median:0} jobs/s"));
    if (postgresFanOut is { } engine)
    {
        summary.Add(string.Create(CultureInfo.InvariantCulture, $"ratio, TaskFlow PostgreSQL fan-out / Hangfire: {engine / median:0.0}x"));
    }
}

Console.WriteLine("summary:");
foreach (var line in summary)
{
    Console.WriteLine("  " + line);
}

return 0;

string? Arg(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

static async Task<(int Nodes, TimeSpan Elapsed, double P50, double P99, string Commits)> RunEngineAsync(string provider, string shape, int n, int concurrency)
{
    var folder = Path.Combine(Path.GetTempPath(), "taskflow-bench-" + Guid.NewGuid().ToString("N")[..8]);
    var connection = provider == "postgres" ? await FreshDatabaseAsync(Environment.GetEnvironmentVariable("TASKFLOW_TEST_POSTGRES") ?? ArgValue("--postgres")!, "engine") : folder;
    // No configuration files and so no file watchers: the default builder watches its content root
    // (the working directory, recursively), which costs the measured process CPU in a large tree.
    var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
    builder.Logging.ClearProviders();
    builder.Services.AddTaskFlowEngine(o =>
    {
        if (provider == "postgres")
        {
            o.PostgresConnectionString = connection;
        }
        else
        {
            o.DataDirectory = folder;
        }

        o.Limits = new WorkflowLimits { MaxSubtasks = n + 10, MaxNodes = n + 10 };
        o.MaxConcurrency = concurrency;
        o.ClaimBatchSize = Math.Min(concurrency, int.Parse(Environment.GetEnvironmentVariable("BENCH_CLAIM") ?? "256", CultureInfo.InvariantCulture));
        o.CommitBatchSize = int.Parse(Environment.GetEnvironmentVariable("BENCH_COMMIT") ?? "512", CultureInfo.InvariantCulture);
    }).AddActivity<StampActivity>().AddActivity<PureStampActivity>();
    using var host = builder.Build();
    await host.StartAsync();
    var runtime = host.Services.GetRequiredService<WorkflowRuntime>();
    var type = shape.EndsWith("-pure", StringComparison.Ordinal) ? "bench.stamp-pure" : "bench.stamp";
    var definition = shape.StartsWith("fanout", StringComparison.Ordinal) ? FanOut(shape, n, type) : Chain(shape, n, type);
    await runtime.SaveDefinitionAsync(definition);
    StampActivity.Stamps.Clear();

    using var meter = new CommitMeter();
    var clock = Stopwatch.StartNew();
    var id = await runtime.StartAsync(shape);
    var view = await runtime.WaitAsync(id, TimeSpan.FromMinutes(10));
    clock.Stop();
    if (view?.Status != InstanceStatus.Succeeded)
    {
        throw new InvalidOperationException($"{provider} {shape} did not succeed: {view?.Status} {view?.Error}");
    }

    var latencies = new List<double>();
    if (shape.StartsWith("chain", StringComparison.Ordinal))
    {
        for (var i = 1; i < n; i++)
        {
            var previous = StampActivity.Stamps[$"s{i - 1}"];
            var next = StampActivity.Stamps[$"s{i}"];
            latencies.Add(Stopwatch.GetElapsedTime(previous.End, next.Start).TotalMilliseconds);
        }
    }

    latencies.Sort();
    await host.StopAsync();
    if (provider == "postgres")
    {
        Npgsql.NpgsqlConnection.ClearAllPools();
        await DropDatabaseAsync(Environment.GetEnvironmentVariable("TASKFLOW_TEST_POSTGRES") ?? ArgValue("--postgres")!, connection);
    }

    if (provider == "sqlite")
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(folder, recursive: true);
    }

    var nodes = view.Nodes.Count;
    // The engine's own record, from the instance's creation to its completion (both written in
    // the committing transactions): it leaves out the benchmark's reading of the finished view.
    // A commit records the time it began, so for the pure shapes, whose last commit runs most of
    // the steps, the record would leave those steps out: they are timed by the caller, from the
    // start call to the finished instance.
    var elapsed = shape.EndsWith("-pure", StringComparison.Ordinal) ? clock.Elapsed : view.FinishedAt!.Value - view.CreatedAt;
    var commits = string.Create(CultureInfo.InvariantCulture,
        $"; {meter.Commits} commits, {meter.CommitMilliseconds:0} ms in commits ({meter.CommitMilliseconds / Math.Max(1, meter.Commits):0.000} ms each), {meter.ActivityMilliseconds:0} ms in {meter.Activities} activity runs");
    return (nodes, elapsed > TimeSpan.Zero ? elapsed : clock.Elapsed, Percentile(latencies, 0.5), Percentile(latencies, 0.99), commits);

    static string? ArgValue(string name)
    {
        var a = Environment.GetCommandLineArgs();
        var i = Array.IndexOf(a, name);
        return i >= 0 && i + 1 < a.Length ? a[i + 1] : null;
    }
}

static double Percentile(List<double> sorted, double p) => sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

static string FanOut(string id, int branches, string type)
{
    var nodes = new JsonArray { Node("start", type) };
    var edges = new JsonArray();
    for (var i = 0; i < branches; i++)
    {
        nodes.Add(Node($"b{i}", type));
        edges.Add(Edge("start", $"b{i}"));
        edges.Add(Edge($"b{i}", "join"));
    }

    nodes.Add(new JsonObject { ["id"] = "join", ["type"] = "join", ["inputs"] = new JsonObject { ["mode"] = "WaitAll" } });
    nodes.Add(Node("end", type));
    edges.Add(Edge("join", "end"));
    return new JsonObject { ["id"] = id, ["nodes"] = nodes, ["edges"] = edges }.ToJsonString();
}

static string Chain(string id, int steps, string type)
{
    var nodes = new JsonArray();
    var edges = new JsonArray();
    for (var i = 0; i < steps; i++)
    {
        nodes.Add(Node($"s{i}", type));
        if (i > 0)
        {
            edges.Add(Edge($"s{i - 1}", $"s{i}"));
        }
    }

    return new JsonObject { ["id"] = id, ["nodes"] = nodes, ["edges"] = edges }.ToJsonString();
}

static JsonObject Node(string id, string type) => new() { ["id"] = id, ["type"] = type };

static JsonObject Edge(string from, string to) => new() { ["from"] = from, ["to"] = to };

static async Task DropDatabaseAsync(string server, string connection)
{
    var name = new Npgsql.NpgsqlConnectionStringBuilder(connection).Database;
    await using var admin = new Npgsql.NpgsqlConnection(server);
    await admin.OpenAsync();
    await using var drop = new Npgsql.NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", admin);
    await drop.ExecuteNonQueryAsync();
}

static async Task<string> FreshDatabaseAsync(string server, string prefix)
{
    var name = $"tf_bench_{prefix}_{Guid.NewGuid():N}"[..30];
    await using var admin = new Npgsql.NpgsqlConnection(server);
    await admin.OpenAsync();
    await using var create = new Npgsql.NpgsqlCommand($"CREATE DATABASE {name}", admin);
    await create.ExecuteNonQueryAsync();
    return new Npgsql.NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
}
