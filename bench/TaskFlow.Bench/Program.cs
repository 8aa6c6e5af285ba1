using System.Globalization;
using TaskFlow.Bench;
using TaskFlow.Bench.Hangfire;

// Usage: dotnet run -c Release --project bench/TaskFlow.Bench -- [--postgres CONN] [--n 1000] [--runs 5] [--warmups 10] [--warmup-seconds 0]
//        [--concurrency 256] [--only sqlite|postgres] [--shape fanout|chain|fanout-pure|chain-pure] [--hangfire]
//        The -pure shapes run a no-op declared pure, which runs inside the commit that readied it
//        (no checkpoint per step); the others checkpoint every step.
//        or: --memory [--rounds 10] [--instances 200]   (heap after each round of instances, SQLite)
//        or: --commit-floor --postgres CONN   (one-round-trip commits from .NET, one after the other, for 10 s)
// Without --postgres only SQLite runs. Prints one line per measurement.
var postgres = Arg("--postgres") ?? Environment.GetEnvironmentVariable("TASKFLOW_TEST_POSTGRES");
int n, runs, concurrency, warmups, memoryRounds, memoryInstances;
double warmupSeconds;
try
{
    n = Count("--n", 1000, min: 1);
    runs = Count("--runs", 5, min: 1);
    concurrency = Count("--concurrency", 256, min: 1);
    warmups = Count("--warmups", 10, min: 0);
    warmupSeconds = Seconds("--warmup-seconds", 0);
    memoryRounds = Count("--rounds", 10, min: 1);
    memoryInstances = Count("--instances", 200, min: 1);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    return 2;
}

var hangfire = args.Contains("--hangfire");
var only = Arg("--only");
var summary = new List<string>();
double? postgresFanOut = null;

if (args.Contains("--commit-floor"))
{
    await CommitFloor.RunAsync(postgres ?? throw new InvalidOperationException("--commit-floor needs --postgres or TASKFLOW_TEST_POSTGRES."), TimeSpan.FromSeconds(10));
    return 0;
}

if (args.Contains("--memory"))
{
    await MemoryRun.RunAsync(memoryRounds, memoryInstances);
    return 0;
}

Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; n = {n}, runs = {runs}, max concurrency = {concurrency}");
foreach (var provider in new[] { "sqlite", "postgres" })
{
    if ((provider == "postgres" && postgres is null) || (only is not null && only != provider))
    {
        continue;
    }

    await using var engine = await BenchEngine.StartAsync(provider == "postgres" ? postgres : null, n, concurrency);
    foreach (var shape in new[] { "fanout", "chain", "fanout-pure", "chain-pure" })
    {
        if (Arg("--shape") is { } wanted && wanted != shape)
        {
            continue;
        }

        // Warm-up runs, in the same engine, let tiered JIT compilation reach its steady state (a
        // 1,000-step chain was still getting faster at its eighth run, and the runtime's background
        // compiler worked for about 15 s of a fan-out's runs); they are not reported. They go on
        // until both the count and the time are reached.
        var warming = System.Diagnostics.Stopwatch.StartNew();
        for (var run = 1; run <= warmups || warming.Elapsed.TotalSeconds < warmupSeconds; run++)
        {
            await engine.RunAsync(shape, n);
        }

        var rates = new List<double>();
        for (var run = 1; run <= runs; run++)
        {
            var result = await engine.RunAsync(shape, n);
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
        var baseline = await HangfireBaseline.RunAsync(await BenchDatabases.CreateAsync(postgres, "hangfire"), n);
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

int Count(string name, int fallback, int min) =>
    Arg(name) is not { } text ? fallback
    : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min ? value
    : throw new ArgumentException($"{name} takes a whole number of at least {min}, not '{text}'.");

double Seconds(string name, double fallback) =>
    Arg(name) is not { } text ? fallback
    : double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) && value >= 0 ? value
    : throw new ArgumentException($"{name} takes a number of seconds of 0 or more, not '{text}'.");
