using System.Globalization;
using TaskFlow.Bench.HttpTriggers;

// Usage: dotnet run -c Release --project bench/TaskFlow.Bench.HttpTriggers -- [--postgres CONN] [--requests 2000] [--warmup 300] [--events 500] [--only sqlite|postgres]
// An http-triggered workflow of three no-op steps answered by http.respond, against a plain ASP.NET
// Core minimal-API endpoint making the same kind of database writes in one transaction (the floor),
// at concurrency 1 and 64; then event delivery, waiting node to resumed node (--events 0 skips it).
// Without --postgres (or TASKFLOW_TEST_POSTGRES) only SQLite runs.
var postgres = Arg("--postgres") ?? Environment.GetEnvironmentVariable("TASKFLOW_TEST_POSTGRES");
var requests = int.Parse(Arg("--requests") ?? "2000", CultureInfo.InvariantCulture);
var warmup = int.Parse(Arg("--warmup") ?? "300", CultureInfo.InvariantCulture);
var only = Arg("--only");
var events = int.Parse(Arg("--events") ?? "500", CultureInfo.InvariantCulture);
var delivery = new List<string>();

Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; requests = {requests} per row, warm-up = {warmup}");
Console.WriteLine("provider  | side                | concurrency | requests/s | p50 ms | p99 ms | errors");
foreach (var provider in new[] { "sqlite", "postgres" })
{
    if ((provider == "postgres" && postgres is null) || (only is not null && only != provider))
    {
        continue;
    }

    var folder = Directory.CreateTempSubdirectory("taskflow-bench-http-").FullName;
    try
    {
        await using (var workflow = await WorkflowSide.StartAsync(provider, postgres, folder))
        {
            foreach (var concurrency in new[] { 1, 64 })
            {
                Console.WriteLine((await LoadRun.RunAsync(workflow.Client, workflow.Path, concurrency, requests, warmup)).Line(provider, "workflow+respond", concurrency));
            }

            if (events > 0)
            {
                delivery.Add((await EventDeliveryRun.RunAsync(workflow, events, Math.Min(warmup, 50))).Line(provider));
            }
        }

        await using (var floor = await FloorSide.StartAsync(provider, postgres, folder))
        {
            foreach (var concurrency in new[] { 1, 64 })
            {
                Console.WriteLine((await LoadRun.RunAsync(floor.Client, floor.Path, concurrency, requests, warmup)).Line(provider, "minimal API floor", concurrency));
            }
        }
    }
    finally
    {
        Directory.Delete(folder, recursive: true);
    }
}

if (delivery.Count > 0)
{
    Console.WriteLine();
    Console.WriteLine($"event delivery, one at a time, {events} events per row: POST /api/events/go answered, and the waiting node succeeded (journal time), from the moment the POST was sent");
    Console.WriteLine("provider  | answered p50 ms | answered p99 ms | resumed p50 ms | resumed p99 ms | errors");
    delivery.ForEach(Console.WriteLine);
}

return 0;

string? Arg(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
