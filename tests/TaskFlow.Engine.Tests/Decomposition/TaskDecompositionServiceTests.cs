using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TaskFlow.Core.Decomposition;
using TaskFlow.Core.Model;
using TaskFlow.Engine.Decomposition;
using TaskFlow.Engine.Tests.Infrastructure;

namespace TaskFlow.Engine.Tests.Decomposition;

public sealed class TaskDecompositionServiceTests
{
    private static DecompositionRequest Request(string json) =>
        DecompositionRequest.Parse(JsonNode.Parse(json), out var problems) ?? throw new InvalidOperationException(string.Join(" ", problems));

    private static Task<TestEngine> StartAsync(Action<TaskDecompositionOptions>? configure = null) =>
        TestEngine.StartAsync(TestEngine.Sqlite, activities: b => b.Services.Configure<TaskDecompositionOptions>(o => configure?.Invoke(o)));

    //   release: start ─┬─> build ──┐
    //                   └─> docs ───┴─> join ─> aggregate       (build's own child: release.build)
    [Theory]
    [MemberData(nameof(TestEngine.Providers), MemberType = typeof(TestEngine))]
    public async Task RunAsync_RecursiveTask_StoresEveryDefinitionAndRunsToTheAggregate(string provider)
    {
        await using var engine = await TestEngine.StartAsync(provider);
        var service = engine.Services.GetRequiredService<TaskDecompositionService>();

        var result = await service.DecomposeAsync(Request("""
            { "task": { "id": "release", "description": "- Build it\n  - the API\n  - the jobs\n- Write the docs", "complexity": 100 }, "strategy": "recursive" }
            """));
        var instanceId = await service.RunAsync(result, new JsonObject { ["ticket"] = "T-1" });
        var view = await engine.Runtime.WaitAsync(instanceId, TimeSpan.FromMinutes(1));

        Assert.Equal(["release.s1", "release"], result.Definitions.Select(d => d.Id));
        Assert.NotNull(await engine.Runtime.GetDefinitionAsync("release.s1"));
        Assert.NotNull(view);
        view.AssertSucceeded();
        Assert.True(view.Output!["succeeded"]!.GetValue<bool>());
        // Parallel aggregation lists results as they finished: the plain subtask before the child workflow.
        Assert.Equal(["s2", "s1"], view.Output["results"]!.AsArray().Select(r => r!["id"]!.GetValue<string>()));
        // The child workflow's own aggregate is its result's output.
        Assert.Equal(2, view.Output["results"]![1]!["output"]!["total"]!.GetValue<int>());
    }

    [Fact]
    public async Task SaveAsync_TheSameTaskTwice_StoresANewVersion()
    {
        await using var engine = await StartAsync();
        var service = engine.Services.GetRequiredService<TaskDecompositionService>();
        var request = Request("""{ "task": { "description": "1. plan\n2. do" } }""");

        await service.SaveAsync(await service.DecomposeAsync(request));
        var second = await service.SaveAsync(await service.DecomposeAsync(request));

        Assert.Equal(2, second[^1].Version);
        Assert.Equal(2, (await engine.Runtime.ListDefinitionVersionsAsync(second[^1].Id)).Count);
    }

    [Fact]
    public async Task DecomposeAsync_AStrategyOrModeNotOffered_IsRefusedNamingWhatIs()
    {
        await using var engine = await StartAsync(o =>
        {
            o.Strategies = [DecompositionStrategy.Parallel];
            o.AggregationModes = [AggregationMode.Parallel];
        });
        var service = engine.Services.GetRequiredService<TaskDecompositionService>();

        var error = await Assert.ThrowsAsync<DecompositionException>(() =>
            service.DecomposeAsync(Request("""{ "task": { "description": "- a\n- b" }, "strategy": "sequential", "aggregation": "weighted" }""")));

        Assert.Equal(["decomposition.strategy.refused", "decomposition.aggregation.refused"], error.Problems.Select(p => p.Code));
        Assert.Contains("use parallel, auto", error.Problems[0].Message, StringComparison.Ordinal);
        Assert.Contains("use parallel (TaskFlow:Decomposition:AggregationModes)", error.Problems[1].Message, StringComparison.Ordinal);
        // auto is always offered, and picks among every layout.
        Assert.Equal(DecompositionStrategy.Parallel, (await service.DecomposeAsync(Request("""{ "task": { "description": "- a\n- b" }, "strategy": "auto" }"""))).Strategy);
    }

    [Fact]
    public async Task DecomposeAsync_LowerConfiguredLimits_AreErrorsNotTruncation()
    {
        await using var engine = await StartAsync(o => (o.MaxSubtasks, o.MaxComplexity) = (2, 50));
        var service = engine.Services.GetRequiredService<TaskDecompositionService>();

        var complex = await Assert.ThrowsAsync<DecompositionException>(() =>
            service.DecomposeAsync(Request("""{ "task": { "id": "complex", "description": "- a\n- b", "complexity": 80 } }""")));
        var wide = await Assert.ThrowsAsync<DecompositionException>(() =>
            service.DecomposeAsync(Request("""{ "task": { "id": "wide", "description": "- a\n- b\n- c", "complexity": 10 } }""")));

        Assert.Contains(complex.Problems, p => p.Message.Contains("50", StringComparison.Ordinal) && p.Message.Contains("80", StringComparison.Ordinal));
        Assert.Contains(wide.Problems, p => p.Message.Contains("max_subtasks", StringComparison.Ordinal) && p.Message.Contains('2', StringComparison.Ordinal));
        Assert.Empty(await engine.Runtime.ListDefinitionsAsync());
    }

    [Fact]
    public async Task DecomposeAsync_ASubtaskActivityTheCatalogLacks_FailsValidation()
    {
        await using var engine = await StartAsync(o => o.SubtaskActivity = "agent.run");
        var service = engine.Services.GetRequiredService<TaskDecompositionService>();

        var error = await Assert.ThrowsAsync<DecompositionException>(() => service.DecomposeAsync(Request("""{ "task": { "description": "- a\n- b" } }""")));

        Assert.Contains(error.Problems, p => p.Message.Contains("agent.run", StringComparison.Ordinal));
    }

    [Fact]
    public void Template_TheReportsAppendixA_SetsStrategiesModesAndLimits()
    {
        var options = new TaskDecompositionOptions();

        var problems = TaskDecompositionTemplate.Apply(File.ReadAllText(RepositoryFile("config/task-decomposition-mcp.json")), options);

        Assert.Empty(problems);
        Assert.Equal([DecompositionStrategy.Recursive, DecompositionStrategy.Hierarchical, DecompositionStrategy.Parallel], options.Strategies!);
        Assert.Contains(DecompositionStrategy.Auto, options.EffectiveStrategies);
        Assert.Equal([AggregationMode.Sequential, AggregationMode.Parallel, AggregationMode.Weighted], options.AggregationModes!);
        Assert.Equal((50, 5, 100), (options.MaxSubtasks, options.MaxDepth, options.MaxComplexity));
    }

    [Fact]
    public void Template_WithWrongValues_ListsEveryProblem()
    {
        var problems = TaskDecompositionTemplate.Apply("""
            { "capabilities": { "tools": { "decompose": { "maxComplexity": 0, "strategies": ["radial"] }, "aggregate": { "modes": [] } },
                                "resources": { "max_subtasks": "many", "max_depth": 5 } } }
            """, new TaskDecompositionOptions());

        Assert.Equal(4, problems.Count);
        Assert.Contains(problems, p => p.StartsWith("capabilities.tools.decompose.maxComplexity is 0", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("capabilities.tools.decompose.strategies has \"radial\"", StringComparison.Ordinal));
        Assert.Contains("capabilities.tools.aggregate.modes must be a list with at least one name", problems);
        Assert.Contains(problems, p => p.StartsWith("capabilities.resources.max_subtasks is \"many\"", StringComparison.Ordinal));
        Assert.Equal(["the template is not valid JSON: 'x' is an invalid start of a value. LineNumber: 0 | BytePositionInLine: 0."], TaskDecompositionTemplate.Apply("x", new TaskDecompositionOptions()));
    }

    [Fact]
    public async Task Start_ATemplateAboveTheEnginesLimits_StopsTheStartNamingBoth()
    {
        var template = Path.Combine(Path.GetTempPath(), $"td-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(template, """{ "capabilities": { "resources": { "max_subtasks": 80 } } }""");
        try
        {
            var error = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync(o => o.TemplateFile = template));

            Assert.Contains("may not be above the engine's TaskFlow:Engine:Limits", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(template);
        }
    }

    private static string RepositoryFile(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "TaskFlow.sln")))
            {
                return Path.Combine(dir.FullName, relative);
            }
        }

        throw new InvalidOperationException("The repository root (TaskFlow.sln) was not found above " + AppContext.BaseDirectory);
    }
}
