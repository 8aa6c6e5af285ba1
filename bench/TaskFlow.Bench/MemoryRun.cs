using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TaskFlow.Engine.Hosting;
using TaskFlow.Engine.Runtime;

namespace TaskFlow.Bench;

/// <summary>
/// Runs many instances in one long-lived engine and prints the managed heap after a full GC at
/// the end of each round: a heap that keeps climbing with finished instances would be a leak.
/// </summary>
internal static class MemoryRun
{
    public static async Task RunAsync(int rounds, int instancesPerRound)
    {
        var folder = Path.Combine(Path.GetTempPath(), "taskflow-bench-memory-" + Guid.NewGuid().ToString("N")[..8]);
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddTaskFlowEngine(o =>
        {
            o.DataDirectory = folder;
            o.MaxConcurrency = 256;
        });
        using var host = builder.Build();
        await host.StartAsync();
        var runtime = host.Services.GetRequiredService<WorkflowRuntime>();
        await runtime.SaveDefinitionAsync(Definition());
        Console.WriteLine($"memory: {rounds} rounds of {instancesPerRound} instances (fork of 8 transforms, join, foreach over 5 items)");
        for (var round = 1; round <= rounds; round++)
        {
            var clock = Stopwatch.StartNew();
            var ids = new List<string>();
            for (var i = 0; i < instancesPerRound; i++)
            {
                ids.Add(await runtime.StartAsync("memory", new JsonObject { ["n"] = i }));
            }

            foreach (var id in ids)
            {
                var view = await runtime.WaitAsync(id, TimeSpan.FromMinutes(5));
                if (view?.Status != Core.Model.InstanceStatus.Succeeded)
                {
                    throw new InvalidOperationException($"Instance {id} ended {view?.Status}: {view?.Error}");
                }
            }

            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            var heap = GC.GetTotalMemory(forceFullCollection: true) / 1024.0 / 1024.0;
            var workingSet = Process.GetCurrentProcess().WorkingSet64 / 1024.0 / 1024.0;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"memory round {round}: {instancesPerRound} instances in {clock.ElapsedMilliseconds} ms; managed heap after full GC {heap:0.0} MiB, working set {workingSet:0} MiB"));
        }

        await host.StopAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(folder, recursive: true);
    }

    private static string Definition()
    {
        var nodes = new JsonArray { new JsonObject { ["id"] = "start", ["type"] = "noop" } };
        var edges = new JsonArray();
        for (var i = 0; i < 8; i++)
        {
            nodes.Add(new JsonObject { ["id"] = $"t{i}", ["type"] = "transform", ["inputs"] = new JsonObject { ["value"] = $"{{{{ input.n * {i} }}}}" } });
            edges.Add(new JsonObject { ["from"] = "start", ["to"] = $"t{i}" });
            edges.Add(new JsonObject { ["from"] = $"t{i}", ["to"] = "join" });
        }

        nodes.Add(new JsonObject { ["id"] = "join", ["type"] = "join", ["inputs"] = new JsonObject { ["mode"] = "WaitAll" } });
        nodes.Add(new JsonObject
        {
            ["id"] = "each",
            ["type"] = "foreach",
            ["inputs"] = new JsonObject
            {
                ["items"] = "{{ range(1, 5) }}",
                ["maxParallelism"] = 5,
                ["body"] = new JsonObject { ["type"] = "transform", ["inputs"] = new JsonObject { ["value"] = "{{ item * 2 }}" } },
            },
        });
        edges.Add(new JsonObject { ["from"] = "join", ["to"] = "each" });
        return new JsonObject { ["id"] = "memory", ["nodes"] = nodes, ["edges"] = edges }.ToJsonString();
    }
}
