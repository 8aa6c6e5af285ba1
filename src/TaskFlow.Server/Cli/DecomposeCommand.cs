using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using TaskFlow.Core.Activities;
using TaskFlow.Core.Decomposition;
using TaskFlow.Engine.Decomposition;
using TaskFlow.Engine.Hosting;

namespace TaskFlow.Server.Cli;

/// <summary>
/// <c>taskflow decompose</c>: a task as workflow definitions, printed as JSON (or an outline), and
/// with <c>--save</c> stored in the engine's database under the server's decomposition settings.
/// </summary>
internal static class DecomposeCommand
{
    public static Command Create(Func<ParseResult, IHost> hostFor)
    {
        var description = new Argument<string?>("description") { Description = "The task, as text (numbered or bulleted lists, headings and sequencing words become subtasks).", Arity = ArgumentArity.ZeroOrOne };
        var file = new Option<FileInfo?>("--file", "-f") { Description = "Read the task from a file: text, or a JSON decomposition request { task, strategy, aggregation }." };
        var id = new Option<string?>("--id") { Description = "The root definition id (derived from the description when omitted)." };
        var complexity = new Option<int?>("--complexity") { Description = "The task's complexity, 0 to maxComplexity (100)." };
        var strategy = new Option<string?>("--strategy", "-s") { Description = "auto (default), parallel, hierarchical, recursive or sequential." };
        var aggregation = new Option<string?>("--aggregation") { Description = "sequential, parallel or weighted." };
        var outline = new Option<bool>("--outline") { Description = "Print the outline (one line per subtask) instead of JSON." };
        var save = new Option<bool>("--save") { Description = "Store the definitions (children first) as new published versions in the engine's database (--data / --postgres)." };
        var command = new Command("decompose", "Decompose a task into workflow definitions (parallel, hierarchical, recursive or sequential) and print them as JSON. Exits 1 listing every problem when the task cannot be decomposed, 2 when the input is not a task.")
        {
            description, file, id, complexity, strategy, aggregation, outline, save,
        };
        foreach (var option in TaskFlowCommand.StorageOptions)
        {
            command.Options.Add(option);
        }

        command.SetAction(async (result, cancellationToken) =>
        {
            var (request, problems) = await ReadAsync(result.GetValue(description), result.GetValue(file), result.GetValue(id), result.GetValue(complexity), result.GetValue(strategy), result.GetValue(aggregation), cancellationToken);
            if (request is null)
            {
                foreach (var problem in problems)
                {
                    await Console.Error.WriteLineAsync(problem);
                }

                return 2;
            }

            try
            {
                DecompositionResult decomposed;
                if (result.GetValue(save))
                {
                    using var host = hostFor(result);
                    var decomposition = host.Services.GetRequiredService<TaskDecompositionService>();
                    decomposed = await decomposition.DecomposeAsync(request, cancellationToken);
                    var stored = await decomposition.SaveAsync(decomposed, cancellationToken);
                    await Console.Error.WriteLineAsync(string.Join(Environment.NewLine, stored.Select(d => $"saved {d.Id} version {d.Version}")));
                }
                else
                {
                    decomposed = Decompose(request);
                }

                Console.WriteLine(result.GetValue(outline) ? DecompositionJson.Outline(decomposed) : DecompositionJson.Describe(decomposed).ToJsonString(CliJson.Options));
                return 0;
            }
            catch (DecompositionException ex)
            {
                await Console.Error.WriteLineAsync(ex.Message);
                return 1;
            }
        });
        return command;
    }

    /// <summary>Without a database: the built-in rules and limits, checked against the built-in activities, exec and mcp.call.</summary>
    private static DecompositionResult Decompose(DecompositionRequest request)
    {
        var options = new DecompositionOptions { Strategy = request.Strategy ?? DecompositionStrategy.Auto, Aggregation = request.Aggregation };
        var result = TaskDecomposition.Decompose(request.Task, options);
        if (!result.Succeeded)
        {
            throw new DecompositionException(result.Problems);
        }

        // Subtasks that run a command or call a tool become exec and mcp.call nodes, which a server offers too.
        var catalog = BuiltInActivities.Descriptors
            .Append(AggregateActivityDescriptor.Descriptor)
            .Append(TaskFlowEngineBuilder.DescriptorOf<Workspaces.ExecActivity>())
            .Append(TaskFlowEngineBuilder.DescriptorOf<Routing.McpCallActivity>())
            .ToDictionary(d => d.Type, StringComparer.Ordinal);
        var problems = result.Validate(catalog, options.Limits);
        return problems.Count == 0 ? result : throw new DecompositionException(problems);
    }

    private static async Task<(DecompositionRequest? Request, IReadOnlyList<string> Problems)> ReadAsync(
        string? description, FileInfo? file, string? id, int? complexity, string? strategy, string? aggregation, CancellationToken cancellationToken)
    {
        JsonObject request;
        if (file is not null)
        {
            if (description is not null)
            {
                return (null, ["Give the task either as text or with --file, not both."]);
            }

            if (!file.Exists)
            {
                return (null, [$"No such file: {file.FullName}"]);
            }

            var text = await File.ReadAllTextAsync(file.FullName, cancellationToken);
            if (text.TrimStart().StartsWith('{'))
            {
                try
                {
                    request = JsonNode.Parse(text) as JsonObject ?? throw new JsonException("it is not a JSON object");
                }
                catch (JsonException ex)
                {
                    return (null, [$"{file.Name} is not a JSON decomposition request: {ex.Message}"]);
                }
            }
            else
            {
                request = new JsonObject { ["task"] = new JsonObject { ["description"] = text } };
            }
        }
        else if (!string.IsNullOrWhiteSpace(description))
        {
            request = new JsonObject { ["task"] = new JsonObject { ["description"] = description } };
        }
        else
        {
            return (null, ["Give the task as text (taskflow decompose \"First build it, then test it\") or with --file FILE."]);
        }

        // Options on the command line win over the file's.
        if (request["task"] is JsonObject task)
        {
            if (id is not null)
            {
                task["id"] = id;
            }

            if (complexity is not null)
            {
                task["complexity"] = complexity;
            }
        }

        if (strategy is not null)
        {
            request["strategy"] = strategy;
        }

        if (aggregation is not null)
        {
            request["aggregation"] = aggregation;
        }

        var parsed = DecompositionRequest.Parse(request, out var problems);
        return (parsed, problems);
    }
}
