using System.Globalization;
using System.Runtime.InteropServices;
using TaskFlow.Chaos.Scenarios;

// The chaos bench: the fault scenarios of tests/TaskFlow.Chaos.Tests at bench size, and the
// fuzzers with many more cases, printing per scenario the figures bench/RESULTS.md quotes.
//   dotnet bench/TaskFlow.Chaos/bin/Release/net10.0/TaskFlow.Chaos.dll [--only NAME[,NAME]] [--runs N]
//     [--instances N] [--branches N] [--faults N] [--fuzz-cases N] [--seed N] [--cron-ticks N] [--kills N] [--checkpoint-kills N]
// (--only takes scenario names, server-kill-http-sse, cron-over-time, sqlite-checkpoint-kill, sqlite-disk-full, mcp-upstream-faults and "fuzz"; the fuzzers' seed is random unless given, and printed.)
// Needs TASKFLOW_TEST_POSTGRES (a server for the fresh databases) and root (the restart scenario
// starts a PostgreSQL server of its own with scripts/start-postgres.sh).
var options = args.Select((a, i) => (a, i)).Where(p => p.a.StartsWith("--", StringComparison.Ordinal))
    .ToDictionary(p => p.a[2..], p => p.i + 1 < args.Length ? args[p.i + 1] : "", StringComparer.Ordinal);
int Number(string name, int fallback) => options.TryGetValue(name, out var value) ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;

var bench = ScenarioSettings.Bench;
var settings = bench with
{
    Runs = Number("runs", bench.Runs),
    Instances = Number("instances", bench.Instances),
    Branches = Number("branches", bench.Branches),
    Faults = Number("faults", bench.Faults),
};
var only = options.TryGetValue("only", out var names) ? names.Split(',', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal) : null;

Console.WriteLine($"TaskFlow chaos bench, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} CPUs, {RuntimeInformation.OSDescription}, .NET {Environment.Version}");
Console.WriteLine($"workload: {settings.Instances} instances x ({settings.Branches} branches of sleep {settings.BranchDuration}), {settings.Workers} workers x {settings.WorkerConcurrency}, lease {settings.LeaseSeconds} s, {settings.Faults} faults per run, {settings.Runs} runs");
var failed = false;
foreach (var scenario in ScenarioCatalog.All.Where(s => only is null || only.Contains(s.Name)))
{
    var figures = await scenario.RunAsync(settings, output => Console.Error.WriteLine(output));
    Console.WriteLine(figures);
    failed |= !figures.Passed;
}

if (only is null || only.Contains(ServerKillScenario.Name))
{
    var figures = await ServerKillScenario.RunAsync(ServerKillSettings.Bench with { Runs = Number("kills", ServerKillSettings.Bench.Runs) }, output => Console.Error.WriteLine(output));
    Console.WriteLine(figures);
    failed |= !figures.Passed;
}

if (only is null || only.Contains(CronOverTimeScenario.Name))
{
    var cron = CronOverTimeSettings.Bench;
    var figures = await CronOverTimeScenario.RunAsync(cron with { Duration = TimeSpan.FromSeconds(Number("cron-ticks", (int)cron.Duration.TotalSeconds)) }, output => Console.Error.WriteLine(output));
    Console.WriteLine(figures);
    failed |= !figures.Passed;
}

if (only is null || only.Contains(SqliteCheckpointKillScenario.Name))
{
    var figures = await SqliteCheckpointKillScenario.RunAsync(settings with { Instances = 20, Branches = 100, BranchDuration = "5ms", Faults = Number("checkpoint-kills", 20) }, output => Console.Error.WriteLine(output));
    Console.WriteLine(figures);
    failed |= !figures.Passed;
}

if (only is null || only.Contains(SqliteDiskFullScenario.Name))
{
    var figures = await SqliteDiskFullScenario.RunAsync(settings with { BranchDuration = "20ms" });
    Console.WriteLine(figures);
    failed |= !figures.Passed;
}

if (only is null || only.Contains(McpUpstreamFaultScenario.Name))
{
    var figures = await McpUpstreamFaultScenario.RunAsync(settings);
    Console.WriteLine(figures);
    failed |= !figures.Passed;
}

if (only is null || only.Contains("fuzz"))
{
    var cases = Number("fuzz-cases", 10_000);
    var seed = Number("seed", Random.Shared.Next(1_000_000));
    foreach (var fuzz in new Func<Task<TaskFlow.Chaos.Fuzz.FuzzFigures>>[]
             {
                 () => TaskFlow.Chaos.Fuzz.DefinitionFuzzer.RunDefinitionsAsync(cases, seed),
                 () => TaskFlow.Chaos.Fuzz.DefinitionFuzzer.RunElsaAsync(cases, seed),
                 () => Task.FromResult(TaskFlow.Chaos.Fuzz.TemplateFuzzer.Run(cases * 10, seed)),
                 () => Task.FromResult(TaskFlow.Chaos.Fuzz.JavaScriptFuzzer.Run(cases, seed)),
                 () => TaskFlow.Chaos.Fuzz.HookFuzzer.RunAsync(cases, seed),
                 () => TaskFlow.Chaos.Fuzz.McpToolFuzzer.RunAsync(cases, seed),
                 () => TaskFlow.Chaos.Fuzz.ApiFuzzer.RunAsync(cases, seed),
             })
    {
        var figures = await fuzz();
        Console.WriteLine(figures);
        failed |= figures.Failures.Count > 0;
    }
}

return failed ? 1 : 0;
