using System.CommandLine;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TaskFlow.Core.Model;
using TaskFlow.Core.Serialization;
using TaskFlow.Core.Validation;
using TaskFlow.Engine.Hosting;
using TaskFlow.Engine.Runtime;
using TaskFlow.Routing.Hosting;
using TaskFlow.Workspaces.Hosting;

using TaskFlow.Server.Metrics;
using TaskFlow.Server.Tracing;

namespace TaskFlow.Server.Cli;

/// <summary>The <c>taskflow</c> command line: serve, run a workflow file, validate one, run workers, or manage instances on a server.</summary>
public static class TaskFlowCommand
{
    private static readonly string[] HelpTokens = ["-h", "--help", "-?", "/?", "/h", "--version"];

    private static readonly Option<string?> Postgres = new("--postgres") { Description = "PostgreSQL connection string; SQLite in the data folder when omitted. Also TASKFLOW_POSTGRES." };
    private static readonly Option<string> Data = new("--data") { Description = "Data folder for the embedded SQLite database.", DefaultValueFactory = _ => ".taskflow" };
    private static readonly Option<int> MaxSubtasks = new("--max-subtasks") { Description = "Largest static fan-out accepted.", DefaultValueFactory = _ => new WorkflowLimits().MaxSubtasks };

    public static RootCommand Create()
    {
        var root = new RootCommand("TaskFlow: a workflow engine for MCP tool fleets.");
        root.Subcommands.Add(RunCommand());
        root.Subcommands.Add(ValidateCommand());
        root.Subcommands.Add(ImportElsaCommand());
        root.Subcommands.Add(WorkerCommand());
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(InstancesCommand.Create());
        root.Subcommands.Add(KeysCommand.Create());
        root.Subcommands.Add(McpCommand.Create());
        root.Subcommands.Add(DecomposeCommand.Create(result => StartedHost(result)));
        root.Subcommands.Add(HookCommand.Create());
        root.Subcommands.Add(HooksCommand.Create());
        return root;
    }

    /// <summary>True for <c>hook</c> and <c>hooks ...</c>, which Program runs with <see cref="CreateHooks"/>.</summary>
    public static bool HandlesHooks(string[] args) => args.Length > 0 && args[0] is "hook" or "hooks";

    /// <summary>A root with only the command asked for (<c>hook</c> or <c>hooks</c>): what a hook process builds, so it starts quickly.</summary>
    public static RootCommand CreateHooks(string[] args) => new("TaskFlow: a workflow engine for MCP tool fleets.") { args[0] == "hook" ? HookCommand.Create() : HooksCommand.Create() };

    /// <summary>
    /// True when the arguments are a command-line command; false when they start the server
    /// (no arguments, <c>serve ...</c> or options only), which Program runs as a web host.
    /// Help for <c>serve</c> and a <c>serve</c> whose options do not parse stay here.
    /// </summary>
    public static bool Handles(string[] args)
    {
        if (args.Length == 0)
        {
            return false;
        }

        if (args.Any(a => HelpTokens.Contains(a, StringComparer.Ordinal)))
        {
            return true;
        }

        if (args[0] == "serve")
        {
            return Create().Parse(args).Errors.Count > 0;
        }

        return !args[0].StartsWith('-');
    }

    private static Command RunCommand()
    {
        var file = new Argument<FileInfo>("file") { Description = "A workflow definition (JSON)." };
        var input = new Option<string?>("--input") { Description = "The instance input as a JSON object." };
        var timeout = new Option<int>("--timeout") { Description = "Seconds to wait for the instance to finish.", DefaultValueFactory = _ => 300 };

        // The command always waits (it runs its own engine, which stops when it exits); the flag is accepted for scripts written against the server's run?wait=true.
        var wait = new Option<bool>("--wait") { Description = "Wait for the instance to finish (always the case for a local run)." };
        var command = new Command("run", "Save a workflow file as a new version, run it and print the finished instance as JSON. Exits 1 if it failed.")
        {
            file, input, timeout, wait, Postgres, Data, MaxSubtasks,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            var path = result.GetValue(file)!;
            if (!path.Exists)
            {
                await Console.Error.WriteLineAsync($"No such file: {path.FullName}");
                return 2;
            }

            JsonObject? inputObject = null;
            if (result.GetValue(input) is { } inputText)
            {
                try
                {
                    inputObject = JsonNode.Parse(inputText) as JsonObject ?? throw new FormatException("it is not a JSON object");
                }
                catch (Exception ex) when (ex is System.Text.Json.JsonException or FormatException)
                {
                    await Console.Error.WriteLineAsync($"--input is not a JSON object: {ex.Message}");
                    return 2;
                }
            }

            using var host = BuildHost(result, runWorkers: true);
            await host.StartAsync(cancellationToken);
            try
            {
                var runtime = host.Services.GetRequiredService<WorkflowRuntime>();
                var definition = await runtime.SaveDefinitionAsync(await File.ReadAllTextAsync(path.FullName, cancellationToken), cancellationToken: cancellationToken);
                var id = await runtime.StartAsync(definition.Id, inputObject, definition.Version, cancellationToken);
                var view = await runtime.WaitAsync(id, TimeSpan.FromSeconds(result.GetValue(timeout)), cancellationToken);
                Console.WriteLine(System.Text.Json.JsonSerializer.Serialize(view, CliJson.Options));
                return view?.Status == InstanceStatus.Succeeded ? 0 : 1;
            }
            catch (WorkflowValidationException ex)
            {
                await Console.Error.WriteLineAsync(ex.Message);
                return 2;
            }
            catch (WorkflowInputException ex)
            {
                await Console.Error.WriteLineAsync(ex.Message);
                return 2;
            }
            finally
            {
                await host.StopAsync(CancellationToken.None);
            }
        });
        return command;
    }

    private static Command ValidateCommand()
    {
        var file = new Argument<FileInfo>("file") { Description = "A workflow definition (JSON)." };
        var command = new Command("validate", "Check a workflow file and list every problem. Exits 1 when there are problems.") { file, MaxSubtasks };
        command.SetAction(async (result, cancellationToken) =>
        {
            var path = result.GetValue(file)!;
            if (!path.Exists)
            {
                await Console.Error.WriteLineAsync($"No such file: {path.FullName}");
                return 2;
            }

            var validator = new WorkflowValidator(
                Core.Activities.BuiltInActivities.Descriptors.ToDictionary(d => d.Type, StringComparer.Ordinal),
                new WorkflowLimits { MaxSubtasks = result.GetValue(MaxSubtasks) },
                id => LoadSibling(path, id));
            var problems = validator.Validate(await File.ReadAllTextAsync(path.FullName, cancellationToken), out var parsed);
            foreach (var warning in parsed is null ? [] : validator.Warnings(parsed))
            {
                Console.WriteLine($"warning\t{warning.Code}\t{warning.Target}\t{warning.Message}");
            }

            foreach (var problem in problems)
            {
                Console.WriteLine($"{problem.Code}\t{problem.Target}\t{problem.Message}");
            }

            Console.WriteLine(problems.Count == 0 ? "valid" : $"{problems.Count} problem{(problems.Count == 1 ? "" : "s")}");
            return problems.Count == 0 ? 0 : 1;
        });
        return command;
    }

    private static Command ImportElsaCommand()
    {
        var source = new Argument<FileSystemInfo>("source")
        {
            Description = "An Elsa 3 workflow definition (a JSON export), a JSON array of them, a zip of .json files, or a folder of them. " +
                          "The workflows of a set may use each other as activities.",
        };
        var save = new Option<bool>("--save") { Description = "Store the converted definitions (published), in dependency order, instead of printing them." };
        var customActivities = new Option<string>("--custom-activities")
        {
            Description = "What becomes of an activity your project defines in code (a namespaced type outside Elsa.): refuse (the default) names it and stops; " +
                          "task makes it an agent task of capability TYPE, for your own service to claim and complete.",
            DefaultValueFactory = _ => "refuse",
        };
        customActivities.AcceptOnlyFromAmong("refuse", "task");
        var command = new Command("import-elsa", "Convert Elsa 3 workflow definitions to TaskFlow's format and print them, or store them with --save. Lists every unsupported activity and exits 1 when one cannot be converted; nothing is stored then.")
        {
            source, save, customActivities, Postgres, Data, MaxSubtasks,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            var path = result.GetValue(source)!;
            var importOptions = new Core.Import.ElsaImportOptions(Core.Import.ElsaImportOptions.ParseCustomActivities(result.GetValue(customActivities)) ?? Core.Import.ElsaCustomActivities.Refuse);
            var files = await ElsaImportSource.ReadAsync(path, cancellationToken);
            if (files is null)
            {
                await Console.Error.WriteLineAsync($"No such file or folder, or not an Elsa workflow file, array, zip or folder: {path.FullName}");
                return 2;
            }

            if (!result.GetValue(save))
            {
                var set = Core.Import.ElsaImporter.ConvertSet(files, null, importOptions);
                if (!await ElsaImportSource.ReportAsync(set))
                {
                    return 1;
                }

                // The set's own workflows are looked up in the set, others beside the source as ID.json.
                var definitions = set.Items.Select(i => i.Result.Definition!).ToList();
                var validator = new WorkflowValidator(
                    ElsaImportSource.Catalog(),
                    new WorkflowLimits { MaxSubtasks = result.GetValue(MaxSubtasks) },
                    id => definitions.FirstOrDefault(d => d.Id == id) ?? LoadSibling(new FileInfo(Path.Combine(path is DirectoryInfo ? path.FullName : Path.GetDirectoryName(path.FullName) ?? ".", "x.json")), id));
                var invalid = 0;
                foreach (var definition in definitions)
                {
                    foreach (var problem in validator.Validate(definition))
                    {
                        invalid++;
                        await Console.Error.WriteLineAsync($"{problem.Code}\t{definition.Id}: {problem.Target}\t{problem.Message}");
                    }
                }

                Console.WriteLine(definitions.Count == 1 && files.Count == 1 && path is FileInfo && !Core.Import.ElsaImportFiles.IsArray(files[0].Json)
                    ? WorkflowJson.Serialize(definitions[0])
                    : "[" + string.Join(",", definitions.Select(WorkflowJson.Serialize)) + "]");
                return invalid == 0 ? 0 : 1;
            }

            using var host = BuildHost(result, runWorkers: false);
            await host.StartAsync(cancellationToken);
            try
            {
                var runtime = host.Services.GetRequiredService<WorkflowRuntime>();
                var stored = (await runtime.ListDefinitionsAsync(cancellationToken)).Select(d => Core.Import.ElsaWorkflowReference.FromDefinition(d.Definition)).ToList();
                var set = Core.Import.ElsaImporter.ConvertSet(files, stored, importOptions);
                if (!await ElsaImportSource.ReportAsync(set))
                {
                    return 1;
                }

                foreach (var item in set.Items)
                {
                    try
                    {
                        var saved = await runtime.SaveDefinitionAsync(WorkflowJson.Serialize(item.Result.Definition!), cancellationToken: cancellationToken);
                        Console.WriteLine($"saved {saved.Id} version {saved.Version} ({item.Name})");
                    }
                    catch (WorkflowValidationException ex)
                    {
                        await Console.Error.WriteLineAsync($"{item.Name}: {ex.Message}");
                        return 1;
                    }
                }

                return 0;
            }
            finally
            {
                await host.StopAsync(CancellationToken.None);
            }
        });
        return command;
    }

    private static Command WorkerCommand()
    {
        var concurrency = new Option<int>("--max-concurrency") { Description = "Activities run at once.", DefaultValueFactory = _ => 64 };
        var lease = new Option<double>("--lease-seconds") { Description = "Lease length; a crashed worker's work is re-claimed after it.", DefaultValueFactory = _ => 30 };
        var workerId = new Option<string?>("--worker-id") { Description = "Name in leases and the journal." };
        var metricsUrls = new Option<string?>("--metrics-urls") { Description = "Serve /metrics for Prometheus on these addresses (e.g. http://127.0.0.1:9464; several separated by ';'). Default: TaskFlow:Metrics:Urls, else none." };
        var command = new Command("worker", "Run workers only, sharing the queue with every other TaskFlow process on the same database.")
        {
            Postgres, Data, MaxSubtasks, concurrency, lease, workerId, metricsUrls,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            using var host = BuildHost(result, runWorkers: true, o =>
            {
                // Options given on the command line win; otherwise configuration (TaskFlow__Engine__*) does.
                o.MaxConcurrency = Given(result, concurrency) ? result.GetValue(concurrency) : o.MaxConcurrency;
                o.ClaimBatchSize = Math.Min(o.ClaimBatchSize, o.MaxConcurrency);
                o.LeaseDuration = Given(result, lease) ? TimeSpan.FromSeconds(result.GetValue(lease)) : o.LeaseDuration;
                o.WorkerId = result.GetValue(workerId) ?? o.WorkerId;
            }, metrics: result.GetValue(metricsUrls));
            await host.StartAsync(cancellationToken);
            Console.WriteLine("worker started");
            foreach (var url in host.Services.GetServices<IHostedService>().OfType<WorkerMetricsListener>().SelectMany(l => l.Urls))
            {
                Console.WriteLine($"metrics at {url}/metrics");
            }

            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
            }

            await host.StopAsync(CancellationToken.None);
            return 0;
        });
        return command;
    }

    /// <param name="metrics">For a worker: where to serve /metrics (overrides TaskFlow:Metrics:Urls).</param>
    private static IHost BuildHost(ParseResult result, bool runWorkers, Action<TaskFlowEngineOptions>? configure = null, string? metrics = null)
    {
        var builder = Host.CreateApplicationBuilder();
        if (runWorkers)
        {
            builder.Services.AddOptions<WorkerMetricsOptions>().Bind(builder.Configuration.GetSection(WorkerMetricsOptions.SectionName)).Configure(o => o.Urls = metrics ?? o.Urls);
            builder.Services.AddHostedService<WorkerMetricsListener>();
        }

        // stdout carries the command's result (run prints the instance as JSON): logs go to stderr.
        CliLogging.ToStandardError(builder);
        builder.Services.AddTaskFlowEngine(o =>
        {
            // Configuration (appsettings, TaskFlow__Engine__* variables) is bound first; an
            // option given on the command line, or TASKFLOW_POSTGRES, overrides it.
            o.PostgresConnectionString = result.GetValue(Postgres) ?? Environment.GetEnvironmentVariable("TASKFLOW_POSTGRES") ?? o.PostgresConnectionString;
            o.DataDirectory = Given(result, Data) ? result.GetValue(Data)! : o.DataDirectory;
            o.RunWorkers = runWorkers;
            o.Limits.MaxSubtasks = Given(result, MaxSubtasks) ? result.GetValue(MaxSubtasks) : o.Limits.MaxSubtasks;
            configure?.Invoke(o);
        }).AddMcpRouter().AddWorkspaces();
        builder.Services.AddTaskFlowTracing(builder.Configuration, runWorkers ? "taskflow-worker" : "taskflow", aspNetCore: false);
        return builder.Build();
    }

    /// <summary>The options that choose the database, for commands that may store something.</summary>
    internal static IReadOnlyList<Option> StorageOptions => [Postgres, Data, MaxSubtasks];

    /// <summary>An engine host without workers, started; stopped when disposed.</summary>
    private static IHost StartedHost(ParseResult result)
    {
        var host = BuildHost(result, runWorkers: false);
        host.Start();
        return new StoppingHost(host);
    }

    private sealed class StoppingHost(IHost inner) : IHost
    {
        public IServiceProvider Services => inner.Services;

        public Task StartAsync(CancellationToken cancellationToken = default) => inner.StartAsync(cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken = default) => inner.StopAsync(cancellationToken);

        public void Dispose()
        {
            inner.StopAsync(CancellationToken.None).GetAwaiter().GetResult();
            inner.Dispose();
        }
    }

    private static bool Given<T>(ParseResult result, Option<T> option) => result.GetResult(option) is { Implicit: false };

    private static WorkflowDefinition? LoadSibling(FileInfo file, string id)
    {
        var candidate = Path.Combine(file.DirectoryName ?? ".", id + ".json");
        return File.Exists(candidate) ? WorkflowJson.TryParse(File.ReadAllText(candidate), out _) : null;
    }
}
