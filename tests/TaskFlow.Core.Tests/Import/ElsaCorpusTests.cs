using TaskFlow.Core.Activities;
using TaskFlow.Core.Import;
using TaskFlow.Core.Model;
using TaskFlow.Core.Validation;
using Xunit.Abstractions;

namespace TaskFlow.Core.Tests.Import;

/// <summary>
/// Imports every real Elsa 3 workflow of Import/Elsa/Corpus (see its README for where each file comes
/// from), each folder as one set, as a user importing a folder would.
/// </summary>
public class ElsaCorpusTests(ITestOutputHelper output)
{
    internal static readonly string CorpusDirectory = Path.Combine(AppContext.BaseDirectory, "Import", "Elsa", "Corpus");

    // The files that are still refused, and the problem that refuses each (docs/elsa-import.md explains why).
    private static readonly Dictionary<string, string> Refused = new(StringComparer.Ordinal)
    {
        ["elsa-core/integration/ImportAndPublish/bad-cron-expression.json"] = "Its cron expression 'BadCronExpression' does not have five fields",
        ["elsa-core/component/WorkflowDefinitionRefresh/dynamic-endpoint-http-workflow.json"] = "is not literal text; TaskFlow serves a fixed path",
        ["elsa-samples/aspnet/DynamicActivityProvider/create-user-workflow.json"] = "'Demo.Reqres.CreateUser' has no TaskFlow equivalent",
        ["elsa-samples/aspnet/DynamicActivityProvider/get-user-workflow.json"] = "'Demo.Reqres.GetUser' has no TaskFlow equivalent",
        ["elsa-samples/aspnet/DynamicActivityProvider/get-all-users-workflow.json"] = "'Demo.Reqres.GetUsers' has no TaskFlow equivalent",
        ["elsa-gitbook/activities/blocking-and-triggers/workflow-wait-for-approval.json"] = "'Custom.WaitForApprovalActivity,CustomAssembly' has no TaskFlow equivalent",
        ["elsa-gitbook/guides/patterns/examples/timeout-approval.json"] = "'Custom.WaitForApproval' has no TaskFlow equivalent",
    };

    // Activities the engine, not the core, registers: described here so that the converted definitions validate.
    private static readonly Dictionary<string, ActivityDescriptor> Catalog = CreateCatalog();

    private static Dictionary<string, ActivityDescriptor> CreateCatalog()
    {
        var catalog = BuiltInActivities.Descriptors.ToDictionary(d => d.Type);
        foreach (var (type, inputs) in new[]
                 {
                     ("setVariable", new[] { "name", "value" }), ("log", ["message"]), ("javascript", ["script"]),
                     ("http.request", ["method", "url", "headers", "query", "body", "contentType", "expectStatus"]),
                     ("http.respond", ["status", "headers", "body", "contentType"]),
                 })
        {
            catalog.TryAdd(type, new ActivityDescriptor(type, "Test", type, inputs.Select(i => new ActivityInputDescriptor(i, "any")).ToList(), [ActivityDescriptor.DefaultOutcome]));
        }

        return catalog;
    }

    /// <summary>Every corpus folder imported as a set: (path of the file in the corpus, its result), in saving order per folder.</summary>
    internal static List<(string Path, ElsaImportResult Result)> ImportCorpus(ElsaImportOptions? options = null)
    {
        var results = new List<(string, ElsaImportResult)>();
        foreach (var directory in Directory.GetDirectories(CorpusDirectory, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var files = Directory.GetFiles(directory, "*.json").Order(StringComparer.Ordinal)
                .Select(f => new ElsaImportFile(Path.GetFileName(f), File.ReadAllText(f))).ToList();
            if (files.Count == 0)
            {
                continue;
            }

            var folder = Path.GetRelativePath(CorpusDirectory, directory).Replace('\\', '/');
            results.AddRange(ElsaImporter.ConvertSet(files, null, options).Documents.Select(i => ($"{folder}/{i.Name}", i.Result)));
        }

        return results;
    }

    [Fact]
    public void ConvertSet_WholeCorpus_ImportsAllButTheKnownRefusalsAndEveryResultValidates()
    {
        var results = ImportCorpus();

        var accepted = results.Count(r => r.Result.Succeeded);
        output.WriteLine($"{accepted} of {results.Count} Elsa files import ({100.0 * accepted / results.Count:F1}%).");
        foreach (var (path, result) in results.Where(r => !r.Result.Succeeded))
        {
            output.WriteLine($"refused {path}: {result.Problems[0]}");
        }

        Assert.Equal(107, results.Count);
        Assert.Equal(Refused.Keys.Order(StringComparer.Ordinal), results.Where(r => !r.Result.Succeeded).Select(r => r.Path).Order(StringComparer.Ordinal));
        Assert.All(results.Where(r => !r.Result.Succeeded), r => Assert.Contains(r.Result.Problems, p => p.Message.Contains(Refused[r.Path], StringComparison.Ordinal)));
        Assert.Equal(100, accepted);

        var validator = new WorkflowValidator(Catalog, new WorkflowLimits());
        var definitions = results.Where(r => r.Result.Succeeded)
            .SelectMany(r => r.Result.Companions.Select(c => ($"{r.Path} ({c.Id})", c)).Append((r.Path, r.Result.Definition!)))
            .ToDictionary(d => d.Item1, d => d.Item2);
        var invalid = definitions.SelectMany(d => validator.Validate(d.Value)
                .Where(p => p.Code != "workflow.unknown")
                .Select(p => $"{d.Key}: {p.Code} {p.Message}"))
            .ToList();
        Assert.True(invalid.Count == 0, string.Join(Environment.NewLine, invalid));
    }

    [Fact]
    public void ConvertSet_WholeCorpus_WithCustomActivitiesAsTasks_ImportsTheFilesThatUseThem_AndEveryResultValidates()
    {
        var results = ImportCorpus(new ElsaImportOptions(ElsaCustomActivities.Task));

        var accepted = results.Count(r => r.Result.Succeeded);
        output.WriteLine($"With custom activities as tasks: {accepted} of {results.Count} Elsa files import ({100.0 * accepted / results.Count:F1}%).");
        // The two examples of Elsa's documentation are written by hand, and have more against them than
        // their custom activity: a fork branch without a type, and switch cases without conditions.
        var stillRefused = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["elsa-gitbook/activities/blocking-and-triggers/workflow-wait-for-approval.json"] = "Activity 'branch-timeout' (no type): It has no type.",
            ["elsa-gitbook/guides/patterns/examples/timeout-approval.json"] = "Its case 'Approved' has no condition.",
        };
        var custom = Refused.Where(r => r.Value.Contains("has no TaskFlow equivalent", StringComparison.Ordinal)).Select(r => r.Key).Except(stillRefused.Keys).ToList();
        Assert.Equal(3, custom.Count);
        Assert.Equal(Refused.Keys.Except(custom).Order(StringComparer.Ordinal), results.Where(r => !r.Result.Succeeded).Select(r => r.Path).Order(StringComparer.Ordinal));
        Assert.All(stillRefused, r => Assert.Contains(results.Single(x => x.Path == r.Key).Result.Problems, p => p.ToString().Contains(r.Value, StringComparison.Ordinal)));
        Assert.Equal(103, accepted);

        // Each custom activity is an agent task of its type's capability, and says so.
        foreach (var path in custom)
        {
            var result = results.Single(r => r.Path == path).Result;
            Assert.Contains(result.Definition!.Nodes, n => n.Type == "agent" && n.Inputs["capability"]!.GetValue<string>().Contains('.', StringComparison.Ordinal));
            Assert.Contains(result.Notes, n => n.Contains("is an activity your project defines in code", StringComparison.Ordinal));
        }

        var validator = new WorkflowValidator(Catalog, new WorkflowLimits());
        var invalid = results.Where(r => r.Result.Succeeded)
            .SelectMany(r => r.Result.Companions.Append(r.Result.Definition!).SelectMany(d => validator.Validate(d).Where(p => p.Code != "workflow.unknown").Select(p => $"{r.Path}: {p.Code} {p.Message}")))
            .ToList();
        Assert.True(invalid.Count == 0, string.Join(Environment.NewLine, invalid));
    }
}
