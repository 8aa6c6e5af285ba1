using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TaskFlow.Chaos.Harness;
using TaskFlow.Core.Import;
using TaskFlow.Core.Serialization;
using TaskFlow.Engine.Hosting;
using TaskFlow.Engine.Runtime;

namespace TaskFlow.Chaos.Fuzz;

/// <summary>
/// Definition validation and import, fuzzed through the engine's own entry points on a real
/// (SQLite) engine: random JSON and mutated sample workflows into <see cref="WorkflowRuntime.CheckAsync"/>,
/// whose every rejection must carry a code, a target and a message, and whose acceptance must
/// mean the definition saves; mutated real Elsa files into <see cref="ElsaImporter.Convert"/>,
/// which must report, never throw, and whose conversions must validate or be rejected the same way.
/// </summary>
public static class DefinitionFuzzer
{
    public static async Task<FuzzFigures> RunDefinitionsAsync(int cases, int seed)
    {
        var seeds = Directory.GetFiles(Path.Combine(RepositoryPaths.Root, "workflows"), "*.json", SearchOption.AllDirectories).Select(File.ReadAllText).ToArray();
        var figures = new FuzzFigures("fuzz-definitions", seed);
        var mutator = new JsonMutator(new Random(seed));
        await using var engine = await SqliteEngine.StartAsync();
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < cases; i++)
        {
            var json = mutator.Random.Next(5) == 0 ? mutator.RandomDocument() : mutator.Mutate(seeds[mutator.Random.Next(seeds.Length)]);
            await CheckAsync(engine.Runtime, json, figures);
        }

        figures.Elapsed = clock.Elapsed;
        return figures;
    }

    public static async Task<FuzzFigures> RunElsaAsync(int cases, int seed)
    {
        var seeds = Directory.GetFiles(Path.Combine(RepositoryPaths.Root, "tests", "TaskFlow.Core.Tests", "Import", "Elsa"), "*.json").Select(File.ReadAllText).ToArray();
        var figures = new FuzzFigures("fuzz-elsa-import", seed);
        var mutator = new JsonMutator(new Random(seed));
        await using var engine = await SqliteEngine.StartAsync();
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < cases; i++)
        {
            var json = mutator.Random.Next(10) == 0 ? mutator.RandomDocument() : mutator.Mutate(seeds[mutator.Random.Next(seeds.Length)]);
            figures.Cases++;
            ElsaImportResult result;
            try
            {
                result = ElsaImporter.Convert(json);
            }
            catch (Exception ex)
            {
                figures.Fail($"ElsaImporter.Convert threw {ex.GetType().Name}: {ex.Message}", json);
                continue;
            }

            if (!result.Succeeded)
            {
                figures.Rejected++;
                if (result.Problems.Count == 0 || result.Problems.Any(p => string.IsNullOrWhiteSpace(p.Message)))
                {
                    figures.Fail("an import failed without a message naming the problem", json);
                }

                continue;
            }

            // A conversion is a definition like any other: it validates, or is rejected with reasons.
            figures.Cases--;
            await CheckAsync(engine.Runtime, WorkflowJson.Serialize(result.Definition), figures);
        }

        figures.Elapsed = clock.Elapsed;
        return figures;
    }

    private static async Task CheckAsync(WorkflowRuntime runtime, string json, FuzzFigures figures)
    {
        figures.Cases++;
        try
        {
            var (problems, _) = await runtime.CheckAsync(json);
            if (problems.Count > 0)
            {
                figures.Rejected++;
                if (problems.Any(p => string.IsNullOrWhiteSpace(p.Code) || string.IsNullOrWhiteSpace(p.Message) || string.IsNullOrWhiteSpace(p.Target)))
                {
                    figures.Fail("a problem without code, target or message", json);
                }

                return;
            }

            figures.Accepted++;
            await runtime.SaveDefinitionAsync(json);
        }
        catch (Exception ex)
        {
            figures.Fail($"{ex.GetType().Name}: {ex.Message} {Where(ex)}", json);
        }
    }

    /// <summary>The first frame of TaskFlow's own code in the exception's stack: where to look.</summary>
    internal static string Where(Exception ex)
    {
        var frame = ex.StackTrace?.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("at TaskFlow.", StringComparison.Ordinal)) ?? "";

        // The method is enough; the build machine's source path is noise in a report.
        var source = frame.IndexOf(" in ", StringComparison.Ordinal);
        return source > 0 ? frame[..source] : frame;
    }

    /// <summary>An engine on a fresh SQLite folder that stores definitions and runs nothing.</summary>
    private sealed class SqliteEngine : IAsyncDisposable
    {
        private readonly IHost _host;
        private readonly Func<Task> _delete;

        private SqliteEngine(IHost host, Func<Task> delete)
        {
            _host = host;
            _delete = delete;
        }

        public WorkflowRuntime Runtime => _host.Services.GetRequiredService<WorkflowRuntime>();

        public static async Task<SqliteEngine> StartAsync()
        {
            var (folder, delete) = Testing.TestDatabases.CreateFolder("taskflow-fuzz-");
            var builder = Host.CreateApplicationBuilder();
            builder.Logging.ClearProviders();
            builder.Services.AddTaskFlowEngine(o =>
            {
                o.DataDirectory = folder;
                o.RunWorkers = false;
            });
            var host = builder.Build();
            await host.StartAsync();
            return new SqliteEngine(host, delete);
        }

        public async ValueTask DisposeAsync()
        {
            await _host.StopAsync();
            _host.Dispose();
            await _delete();
        }
    }
}
