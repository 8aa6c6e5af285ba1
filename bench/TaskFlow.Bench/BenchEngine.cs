using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TaskFlow.Core.Model;
using TaskFlow.Core.Validation;
using TaskFlow.Engine.Hosting;
using TaskFlow.Engine.Runtime;

namespace TaskFlow.Bench;

/// <summary>
/// One TaskFlow engine on a fresh database, started once and kept for every warm-up and measured
/// run of every shape: like a server, and like the peers, each of which runs all its workflows in
/// one launched process. (A host per run put its start-up, with the JIT compilation it sets off in
/// the background, inside the runs it measured.)
/// </summary>
internal sealed class BenchEngine : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly string _provider;
    private readonly string _database;
    private readonly string? _server;
    private readonly HashSet<string> _saved = [];

    private BenchEngine(IHost host, string provider, string database, string? server)
    {
        _host = host;
        _provider = provider;
        _database = database;
        _server = server;
        Runtime = host.Services.GetRequiredService<WorkflowRuntime>();
    }

    public WorkflowRuntime Runtime { get; }

    /// <param name="server">The PostgreSQL server to make a fresh database on; null for SQLite in a fresh folder.</param>
    public static async Task<BenchEngine> StartAsync(string? server, int n, int concurrency)
    {
        var database = server is not null
            ? await BenchDatabases.CreateAsync(server, "engine")
            : Path.Combine(Path.GetTempPath(), "taskflow-bench-" + Guid.NewGuid().ToString("N")[..8]);
        // No configuration files and so no file watchers: the default builder watches its content root
        // (the working directory, recursively), which costs the measured process CPU in a large tree.
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.Services.AddTaskFlowEngine(o =>
        {
            if (server is not null)
            {
                o.PostgresConnectionString = database;
            }
            else
            {
                o.DataDirectory = database;
            }

            o.Limits = new WorkflowLimits { MaxSubtasks = n + 10, MaxNodes = n + 10 };
            o.MaxConcurrency = concurrency;
            o.ClaimBatchSize = Math.Min(concurrency, int.Parse(Environment.GetEnvironmentVariable("BENCH_CLAIM") ?? "256", CultureInfo.InvariantCulture));
            o.CommitBatchSize = int.Parse(Environment.GetEnvironmentVariable("BENCH_COMMIT") ?? "512", CultureInfo.InvariantCulture);
        }).AddActivity<StampActivity>().AddActivity<PureStampActivity>();
        var host = builder.Build();
        await host.StartAsync();
        return new BenchEngine(host, server is null ? "sqlite" : "postgres", database, server);
    }

    /// <summary>Runs one instance of the shape (its definition saved at the first run) and times it.</summary>
    public async Task<BenchRun> RunAsync(string shape, int n)
    {
        if (_saved.Add(shape))
        {
            var type = shape.EndsWith("-pure", StringComparison.Ordinal) ? "bench.stamp-pure" : "bench.stamp";
            await Runtime.SaveDefinitionAsync(shape.StartsWith("fanout", StringComparison.Ordinal) ? BenchGraphs.FanOut(shape, n, type) : BenchGraphs.Chain(shape, n, type));
        }

        StampActivity.Stamps.Clear();
        using var meter = new CommitMeter();
        var clock = Stopwatch.StartNew();
        var id = await Runtime.StartAsync(shape);
        var view = await Runtime.WaitAsync(id, TimeSpan.FromMinutes(10));
        clock.Stop();
        if (view?.Status != InstanceStatus.Succeeded)
        {
            throw new InvalidOperationException($"{_provider} {shape} did not succeed: {view?.Status} {view?.Error}");
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
        // The engine's own record, from the instance's creation to its completion (both written in
        // the committing transactions): it leaves out the benchmark's reading of the finished view.
        // A commit records the time it began, so for the pure shapes, whose last commit runs most of
        // the steps, the record would leave those steps out: they are timed by the caller, from the
        // start call to the finished instance.
        var elapsed = shape.EndsWith("-pure", StringComparison.Ordinal) ? clock.Elapsed : view.FinishedAt!.Value - view.CreatedAt;
        var commits = string.Create(CultureInfo.InvariantCulture,
            $"; {meter.Commits} commits, {meter.CommitMilliseconds:0} ms in commits ({meter.CommitMilliseconds / Math.Max(1, meter.Commits):0.000} ms each), {meter.ActivityMilliseconds:0} ms in {meter.Activities} activity runs");
        return new BenchRun(view.Nodes.Count, elapsed > TimeSpan.Zero ? elapsed : clock.Elapsed, Percentile(latencies, 0.5), Percentile(latencies, 0.99), commits);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
        if (_server is not null)
        {
            Npgsql.NpgsqlConnection.ClearAllPools();
            await BenchDatabases.DropAsync(_server, _database);
        }
        else
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(_database, recursive: true);
        }
    }

    private static double Percentile(List<double> sorted, double p) => sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
}
