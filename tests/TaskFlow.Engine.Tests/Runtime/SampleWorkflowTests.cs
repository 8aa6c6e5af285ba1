using System.Globalization;
using System.Text.Json.Nodes;
using TaskFlow.Core.Model;
using TaskFlow.Core.Scheduling;
using TaskFlow.Engine.Runtime;
using TaskFlow.Engine.Tests.Infrastructure;

namespace TaskFlow.Engine.Tests.Runtime;

/// <summary>
/// Runs every definition in the repository's <c>workflows/</c> folder, which docs/workflow-format.md
/// promises "are valid and are run by the engine tests", and checks that each does what its
/// description says. A new sample without an entry in <see cref="Expectations"/> fails.
/// </summary>
public sealed class SampleWorkflowTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static readonly Dictionary<string, Func<TestEngine, string, Task>> Expectations = new(StringComparer.Ordinal)
    {
        ["conditional-branch.json"] = ConditionalBranchAsync,
        ["foreach-generated-list.json"] = ForEachGeneratedListAsync,
        ["hierarchical-tree.json"] = HierarchicalTreeAsync,
        ["parallel-fan-out.json"] = ParallelFanOutAsync,
        ["recursive-countdown.json"] = RecursiveCountdownAsync,
        ["retry-and-delay.json"] = RetryAndDelayAsync,
    };

    public static TheoryData<string, string> Samples
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (var provider in new[] { TestEngine.Sqlite, TestEngine.Postgres })
            {
                foreach (var file in SampleFiles())
                {
                    data.Add(provider, file);
                }
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public async Task StartAsync_SampleWorkflow_SucceedsWithTheDescribedOutput(string provider, string file)
    {
        Assert.True(Expectations.TryGetValue(file, out var expect), $"workflows/{file} has no expectation in {nameof(SampleWorkflowTests)}; add one that checks what its description promises.");
        await using var engine = await TestEngine.StartAsync(provider);

        var saved = await engine.Runtime.SaveDefinitionAsync(await File.ReadAllTextAsync(Path.Combine(WorkflowsFolder, file)));

        Assert.Equal(1, saved.Version);
        Assert.False(string.IsNullOrWhiteSpace(saved.Definition.Description), $"workflows/{file} has no description.");
        await expect!(engine, saved.Id);
    }

    [Fact]
    public void SampleFiles_EveryFileInWorkflowsFolder_HasAnExpectation()
    {
        // Fails both ways: a new sample nobody checks, or an expectation for a sample that is gone.
        Assert.Equal(Expectations.Keys.Order(StringComparer.Ordinal), SampleFiles());
    }

    //           ┌─[amount <= 1000]─> approve ──┐
    //  check ───┤                              ├──> decide
    //           └─[amount >  1000]─> review ───┘
    private static async Task ConditionalBranchAsync(TestEngine engine, string id)
    {
        var small = await RunAsync(engine, id, new JsonObject { ["amount"] = 250 });
        AssertJson("""{ "decision": "approved", "amount": 250, "reason": "Within the approval limit." }""", small.Output);
        Assert.Equal(NodeStatus.Succeeded, small.StatusOf("approve"));
        Assert.Equal(NodeStatus.Skipped, small.StatusOf("review"));
        Assert.Equal(NodeStatus.Succeeded, small.StatusOf("decide"));

        var limit = await RunAsync(engine, id, new JsonObject { ["amount"] = 1000 });
        Assert.Equal("approved", limit.Output!["decision"]!.GetValue<string>());

        var large = await RunAsync(engine, id, new JsonObject { ["amount"] = 1500 });
        AssertJson("""{ "decision": "review", "amount": 1500, "reason": "Amount 1500 is above the limit of 1000." }""", large.Output);
        Assert.Equal(NodeStatus.Skipped, large.StatusOf("approve"));
        Assert.Equal(NodeStatus.Succeeded, large.StatusOf("review"));
        Assert.Equal(NodeStatus.Succeeded, large.StatusOf("decide"));
    }

    //  generate(range 1..count) ──> square-each(foreach, 2 at a time: item * item) ──> report
    private static async Task ForEachGeneratedListAsync(TestEngine engine, string id)
    {
        var byDefault = await RunAsync(engine, id, null);
        AssertJson("""
            {
              "numbers": [1, 2, 3, 4, 5],
              "squares": [1, 4, 9, 16, 25],
              "count": 5,
              "sum": 55,
              "text": "1 + 4 + 9 + 16 + 25"
            }
            """, byDefault.Output);

        var three = await RunAsync(engine, id, new JsonObject { ["count"] = 3 });
        AssertJson("[1, 4, 9]", three.Output!["squares"]);
        AssertJson("14", three.Output!["sum"]);
    }

    //                    ┌──> left-a ─────────────────┐
    //         ┌─> left ──┼──> left-b ─────────────────┼─> left-join(WaitAllActive) ──┐
    //         │          └─[includeOptional]─> left-c ┘                              │
    //  root ──┤                                                                      ├─> root-join(WaitAll) ─> aggregate
    //         │          ┌──> right-a ──┐                                            │
    //         └─> right ─┤              ├──> right-join(WaitAny) ────────────────────┘
    //                    └──> right-b ──┘
    private static async Task HierarchicalTreeAsync(TestEngine engine, string id)
    {
        var without = await RunAsync(engine, id, null);
        AssertJson("""{ "a": 1, "b": 2, "c": null, "cStatus": "Skipped", "total": 3 }""", without.Output!["left"]);
        Assert.Equal(NodeStatus.Skipped, without.StatusOf("left-c"));
        await AssertRaceAsync(engine, without);

        var with = await RunAsync(engine, id, new JsonObject { ["includeOptional"] = true });
        AssertJson("""{ "a": 1, "b": 2, "c": 3, "cStatus": "Succeeded", "total": 6 }""", with.Output!["left"]);
        Assert.Equal(NodeStatus.Succeeded, with.StatusOf("left-c"));
        await AssertRaceAsync(engine, with);

        foreach (var view in new[] { without, with })
        {
            Assert.All(["left-join", "right-join", "root-join", "aggregate"], n => Assert.Equal(NodeStatus.Succeeded, view.StatusOf(n)));
        }
    }

    /// <summary>
    /// The WaitAny join runs on the first leaf to arrive and skips the other, unless the other had
    /// already succeeded in the same batch (late arrivals change nothing; both transforms are instant).
    /// </summary>
    private static async Task AssertRaceAsync(TestEngine engine, InstanceView view)
    {
        var right = view.Output!["right"]!;
        var finished = right["finished"]!.GetValue<string>();
        Assert.Contains(finished, new[] { "right-a", "right-b" });
        Assert.Equal(NodeStatus.Succeeded, view.StatusOf(finished));
        Assert.Equal(view.StatusOf("right-a").ToString(), right["aStatus"]!.GetValue<string>());
        Assert.Equal(view.StatusOf("right-b").ToString(), right["bStatus"]!.GetValue<string>());

        var other = finished == "right-a" ? "right-b" : "right-a";
        Assert.Contains(view.StatusOf(other), new[] { NodeStatus.Skipped, NodeStatus.Succeeded });
        if (view.StatusOf(other) == NodeStatus.Skipped)
        {
            var journal = await engine.Runtime.GetJournalAsync(view.Id);
            Assert.Contains(journal, e => e.NodeId == other && e.Type == JournalEventType.NodeSkipped
                && e.Message == $"Branch lost to '{finished}' at WaitAny join 'right-join'.");
        }
    }

    //  start ──┬──> upper ───┐
    //          ├──> lower ───┤
    //          ├──> length ──┼──> join(WaitAll) ──> combine
    //          ├──> quoted ──┤
    //          └──> tagged ──┘
    private static async Task ParallelFanOutAsync(TestEngine engine, string id)
    {
        var byDefault = await RunAsync(engine, id, null);
        AssertJson("""
            {
              "branches": 5,
              "upper": "TASKFLOW",
              "lower": "taskflow",
              "length": 8,
              "quoted": "\"taskflow\"",
              "tags": ["fan-out", "branch-5"],
              "summary": "TASKFLOW / taskflow has 8 characters"
            }
            """, byDefault.Output);
        Assert.All(["upper", "lower", "length", "quoted", "tagged", "join"], n => Assert.Equal(NodeStatus.Succeeded, byDefault.StatusOf(n)));

        var given = await RunAsync(engine, id, new JsonObject { ["text"] = "Fan Out" });
        Assert.Equal("FAN OUT / fan out has 7 characters", given.Output!["summary"]!.GetValue<string>());
    }

    //  recursive-countdown(level):
    //          ┌─[level > 0]──> recurse: recursive-countdown(level - 1) ──┐
    //  check ──┤                                                          ├──> result
    //          └─[level <= 0]─> leaf { depth: instance.depth } ───────────┘
    private static async Task RecursiveCountdownAsync(TestEngine engine, string id)
    {
        var three = await RunAsync(engine, id, new JsonObject { ["level"] = 3 });
        AssertJson("""{ "depth": 3, "level": 3 }""", three.Output);

        var instances = await engine.Runtime.ListInstancesAsync();
        Assert.Equal(4, instances.Count);
        Assert.Equal([0, 1, 2, 3], instances.Select(i => i.Depth).Order());
        Assert.All(instances, i => Assert.Equal(InstanceStatus.Succeeded, i.Status));
        var byDepth = instances.ToDictionary(i => i.Depth);
        for (var depth = 1; depth <= 3; depth++)
        {
            Assert.Equal(byDepth[depth - 1].Id, byDepth[depth].ParentInstanceId);
            Assert.Equal("recurse", byDepth[depth].ParentNodeId);
        }

        // "Recursion is bounded by max_depth (5 by default): a level above 5 fails with a max_depth error."
        var five = await RunAsync(engine, id, new JsonObject { ["level"] = 5 });
        AssertJson("""{ "depth": 5, "level": 5 }""", five.Output);
        var six = await engine.Runtime.WaitAsync(await engine.Runtime.StartAsync(id, new JsonObject { ["level"] = 6 }), Timeout);
        Assert.Equal(InstanceStatus.Failed, six!.Status);
        Assert.Contains("max_depth (5)", six.Error);
    }

    //  wait(delay 1s) ──> work(transform; retry 3x exponential 200ms..1s; timeout 10s)
    private static async Task RetryAndDelayAsync(TestEngine engine, string id)
    {
        var view = await RunAsync(engine, id, null);

        Assert.Equal(1, view.Output!["attempt"]!.GetValue<int>());
        var firedAt = DateTimeOffset.Parse(view.Output!["timerFiredAt"]!.GetValue<string>(), CultureInfo.InvariantCulture);
        // CreatedAt is stored in whole milliseconds, so allow one.
        Assert.True(firedAt >= view.CreatedAt + TimeSpan.FromSeconds(1) - TimeSpan.FromMilliseconds(1), $"The 1s timer fired at {firedAt:O}, but the instance was created at {view.CreatedAt:O}.");
        Assert.Equal(1, view.Node("work").Attempt);

        var journal = await engine.Runtime.GetJournalAsync(view.Id);
        Assert.Contains(journal, e => e.NodeId == "wait" && e.Type == JournalEventType.NodeSuspended);
        Assert.DoesNotContain(journal, e => e.Type == JournalEventType.NodeRetried);
    }

    private static async Task<InstanceView> RunAsync(TestEngine engine, string id, JsonObject? input)
    {
        var instanceId = await engine.Runtime.StartAsync(id, input);
        var view = await engine.Runtime.WaitAsync(instanceId, Timeout);
        Assert.NotNull(view);
        view.AssertSucceeded();
        return view;
    }

    private static void AssertJson(string expected, JsonNode? actual)
    {
        var expectedNode = JsonNode.Parse(expected);
        Assert.True(JsonNode.DeepEquals(expectedNode, actual), $"Expected {expectedNode?.ToJsonString()}, got {actual?.ToJsonString() ?? "null"}.");
    }

    private static string[] SampleFiles() =>
        Directory.GetFiles(WorkflowsFolder, "*.json").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToArray();

    private static string WorkflowsFolder { get; } = FindWorkflowsFolder();

    private static string FindWorkflowsFolder()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "TaskFlow.sln")))
            {
                return Path.Combine(folder.FullName, "workflows");
            }
        }

        throw new InvalidOperationException($"No folder containing TaskFlow.sln above {AppContext.BaseDirectory}.");
    }
}
