using Microsoft.Extensions.DependencyInjection;
using System.Text.Json.Nodes;
using TaskFlow.Core.Import;
using TaskFlow.Core.Model;
using TaskFlow.Core.Scheduling;
using TaskFlow.Engine.Runtime;
using TaskFlow.Engine.Tests.Infrastructure;

namespace TaskFlow.Engine.Tests.Import;

/// <summary>
/// Elsa's own integration tests, run on TaskFlow: each scenario's workflow files (from the corpus, see
/// TaskFlow.Core.Tests/Import/Elsa/Corpus/README.md) are imported as a set, saved in dependency order,
/// and the last one is run on the engine (SQLite); the assertion is the one Elsa's test makes, on the
/// lines its WriteLine activities write (the messages of the log nodes they became) or on the output.
/// </summary>
public sealed class ElsaCorpusRunTests
{
    private static readonly string Corpus = Path.Combine(AppContext.BaseDirectory, "Import", "Elsa", "Corpus", "elsa-core");

    // Elsa: test/integration/Elsa.Workflows.IntegrationTests/Scenarios/ExplicitJoins/ExplicitJoinWaitAnyTests.cs
    [Theory]
    [InlineData("join-any-1.json", "Start; End")]
    [InlineData("join-all-1.json", "Start; Line 1; Line 2; End")]
    [InlineData("join-all-2.json", "Start; Line 1; Line 2; End")]
    public async Task ExplicitJoins_ElsaScenario_WritesTheLinesElsaExpects(string file, string expected)
    {
        await using var engine = await TestEngine.StartAsync(TestEngine.Sqlite);

        var (view, lines) = await ImportAndRunAsync(engine, "integration/ExplicitJoins", [file]);

        view.AssertSucceeded();
        AssertLines(expected, lines);
    }

    // Elsa: test/integration/Elsa.Workflows.IntegrationTests/Scenarios/FlowchartCompletion/Tests.cs ("Workflows should complete successfully.").
    // Elsa's test runs each one with RunWorkflowUntilEndAsync, which resumes every bookmark the run waits on
    // until it finishes: here, every event the run waits for is published until it finishes (workflow5.json
    // waits for 'Event4' in one branch).
    [Theory]
    [InlineData("workflow1.json")]
    [InlineData("workflow2.json")]
    [InlineData("workflow3.json")]
    [InlineData("workflow4.json")]
    [InlineData("workflow5.json")]
    [InlineData("workflow6.json")]
    public async Task FlowchartCompletion_ElsaScenario_FinishesWhenRunUntilItsEnd(string file)
    {
        await using var engine = await TestEngine.StartAsync(TestEngine.Sqlite);
        var set = ElsaImporter.ConvertSet([new ElsaImportFile(file, File.ReadAllText(Path.Combine(Corpus, "integration/FlowchartCompletion", file)))]);
        Assert.True(set.Succeeded, set.ToString());
        var definition = set.Items.Single().Result.Definition!;
        await engine.Runtime.SaveDefinitionAsync(definition);
        var id = await engine.Runtime.StartAsync(definition.Id);

        var view = await RunUntilEndAsync(engine, definition, id);

        view.AssertSucceeded();
    }

    /// <summary>
    /// Elsa's RunWorkflowUntilEndAsync: while the run waits, each event it waits for is published to it,
    /// as Elsa's helper resumes each bookmark; then the run is left to finish.
    /// </summary>
    private static async Task<InstanceView> RunUntilEndAsync(TestEngine engine, WorkflowDefinition definition, string id)
    {
        var events = engine.Services.GetRequiredService<TaskFlow.Engine.Events.EventPublisher>();
        var published = new HashSet<string>(StringComparer.Ordinal);
        var deadline = DateTimeOffset.UtcNow.AddMinutes(1);
        while (DateTimeOffset.UtcNow < deadline)
        {
            var view = (await engine.Runtime.GetInstanceAsync(id))!;
            if (view.Status != InstanceStatus.Running)
            {
                return view;
            }

            foreach (var node in view.Nodes.Where(n => n.Status == NodeStatus.Waiting && published.Add(n.NodeId)))
            {
                if (definition.Nodes.Single(d => d.Id == node.NodeId) is { Type: "event" } waiting)
                {
                    await events.PublishAsync(waiting.Inputs["name"]!.GetValue<string>(), null, id, null);
                }
            }

            await Task.Delay(50);
        }

        return (await engine.Runtime.GetInstanceAsync(id))!;
    }

    // Elsa: test/integration/Elsa.Workflows.IntegrationTests/Scenarios/ParentChildOutputMapping/Tests.cs
    [Theory]
    [InlineData("sum.json,calculator.json", "Result: 9")]
    [InlineData("a.json,b.json,c.json,d.json", "FooBar")]
    [InlineData("producer.json,consumer.json", "Foo")]
    public async Task ParentChildOutputMapping_ElsaScenario_ParentWritesTheChildOutput(string files, string expected)
    {
        await using var engine = await TestEngine.StartAsync(TestEngine.Sqlite);

        var (view, lines) = await ImportAndRunAsync(engine, "integration/ParentChildOutputMapping", files.Split(','));

        view.AssertSucceeded();
        AssertLines(expected, lines);
    }

    // Elsa: Scenarios/CompositesAndOutcomes, DependencyWorkflows, ImportAndExecute and JoinBehaviors/ForkDecisionJoinTests:
    // the lines Elsa's test expects. The last file is the one Elsa's test runs. Left out (docs/elsa-import.md): the
    // fork-decision-join file with a Fault before a WaitAll join.
    [Theory]
    [InlineData("integration/CompositesAndOutcomes", "completor.json,consumer.json,tester.json", "Start; End")]
    [InlineData("integration/DependencyWorkflows", "atom-activity.json,molecule-activity.json,matter-activity.json", "Atom; Atom; Atom; Atom; Atom; Atom; Atom; Atom; Atom")]
    [InlineData("integration/ImportAndExecute", "writeline.json", "Dummy Text")]
    [InlineData("integration/ImportAndExecute", "implicit-loop.json", "Do something; Retry; Do something; Done")]
    [InlineData("integration/JoinBehaviors", "fork-decision-join-none.json", "A; C")]
    [InlineData("integration/JoinBehaviors", "fork-decision-join-converge.json", "A")]
    [InlineData("integration/JoinBehaviors", "fork-decision-join-converge-strict.json", "A")]
    public async Task Scenario_ElsaFiles_WriteTheLinesElsaExpects(string folder, string files, string expected)
    {
        await using var engine = await TestEngine.StartAsync(TestEngine.Sqlite);

        var (view, lines) = await ImportAndRunAsync(engine, folder, files.Split(','));

        Assert.NotEqual(InstanceStatus.Running, view.Status);
        AssertLines(expected, lines);
    }

    // Elsa: Scenarios/JoinBehaviors/ForkDecisionJoinTests.cs, "The explicit join configured with WaitAll join mode should
    // block": A, then its three branches C, B and D; D's decision is false and leads to a Fault, so E never runs and the
    // WaitAll join before F never fires. Elsa runs the branches one after another (C, B, D); TaskFlow runs them at once, so
    // the three lines after A come in any order, and the fault fails the run (Elsa's test reads the lines only).
    [Fact]
    public async Task ForkDecisionJoinWaitAll_ElsaScenario_WritesABranchesAndNeverF()
    {
        await using var engine = await TestEngine.StartAsync(TestEngine.Sqlite);

        var (view, lines) = await ImportAndRunAsync(engine, "integration/JoinBehaviors", ["fork-decision-join-waitall.json"]);

        Assert.Equal(InstanceStatus.Failed, view.Status);
        Assert.Equal("A", lines[0]);
        Assert.Equal(["B", "C", "D"], lines.Skip(1).Order(StringComparer.Ordinal));
    }

    // Elsa: Scenarios/ParentChildInputs/Tests.cs, run with the input { "Input1": "Foo" } as Elsa's test does.
    [Theory]
    [InlineData("child.json,parent1.json", "Parent: Foo; Child: Bar")]
    [InlineData("child.json,parent2.json", "Parent: Foo; Child: Foo")]
    public async Task ParentChildInputs_ElsaScenario_ChildGetsTheInputItIsGiven(string files, string expected)
    {
        await using var engine = await TestEngine.StartAsync(TestEngine.Sqlite);

        var (view, lines) = await ImportAndRunAsync(engine, "integration/ParentChildInputs", files.Split(','), new JsonObject { ["Input1"] = "Foo" });

        view.AssertSucceeded();
        Assert.Equal(expected.Split("; "), lines);
    }

    // Elsa: Scenarios/WorkflowDefinitionActivities/Tests.cs: the line Elsa's test expects among the lines written.
    [Theory]
    [InlineData("child-with-input.json,parent-with-input.json", "Hello from parent!")]
    [InlineData("child-with-output.json,parent-with-output.json", "Received from child: Child output value")]
    [InlineData("child-with-outcomes.json,parent-with-outcomes.json", "Success path taken")]
    [InlineData("child-published-version.json,parent-version-fallback.json", "Published version executed")]
    public async Task WorkflowDefinitionActivities_ElsaScenario_WritesTheExpectedLine(string files, string expected)
    {
        await using var engine = await TestEngine.StartAsync(TestEngine.Sqlite);

        var (view, lines) = await ImportAndRunAsync(engine, "integration/WorkflowDefinitionActivities", files.Split(','));

        view.AssertSucceeded();
        Assert.Contains(expected, lines);
    }

    // Elsa: test/integration/Elsa.Workflows.IntegrationTests/Activities/ExecuteWorkflow/ExecuteWorkflowTests.cs: the whole
    // folder imported as one set (its parents have a Sequence as root), one parent run; the lines Elsa's test expects.
    [Theory]
    [InlineData("parent-with-wait.json", "Parent: Before child; Child: Executing; Parent: After child")]
    [InlineData("parent-no-wait.json", "Parent: Before child; Child: Executing; Parent: After child")]
    [InlineData("parent-with-input.json", "Child received: Hello from parent")]
    [InlineData("parent-capture-output.json", "Child output: 42; Parent received: 42")]
    public async Task ExecuteWorkflow_ElsaScenario_WritesTheLinesElsaExpects(string parent, string expected)
    {
        await using var engine = await TestEngine.StartAsync(TestEngine.Sqlite);
        var folder = Path.Combine(Corpus, "integration/ExecuteWorkflow");
        var files = Directory.GetFiles(folder, "*.json").Select(Path.GetFileName).Where(f => f != parent).Order(StringComparer.Ordinal).Append(parent).ToList();

        var (view, lines) = await ImportAndRunAsync(engine, "integration/ExecuteWorkflow", files!);

        view.AssertSucceeded();
        if (parent == "parent-no-wait.json")
        {
            // The parent went on without waiting for its child (waitForCompletion false): the child's line is
            // there once the child has finished too.
            foreach (var instance in await engine.Runtime.ListInstancesAsync(take: 100))
            {
                (await engine.Runtime.WaitAsync(instance.Id, TimeSpan.FromMinutes(1)))!.AssertSucceeded();
            }

            lines = await LinesAsync(engine.Runtime);
        }

        if (parent == "parent-with-wait.json")
        {
            // Elsa's test checks these three lines in this order.
            Assert.Equal(expected.Split("; "), lines);
        }

        Assert.All(expected.Split("; "), line => Assert.Contains(line, lines));
    }

    // Elsa: Activities/ExecuteWorkflow/ExecuteWorkflowTests.cs, "ExecuteWorkflow sets correlation ID on child workflow".
    [Fact]
    public async Task ExecuteWorkflow_ElsaCorrelationScenario_TheChildCarriesTheCorrelationIdItWasGiven()
    {
        await using var engine = await TestEngine.StartAsync(TestEngine.Sqlite);
        var folder = Path.Combine(Corpus, "integration/ExecuteWorkflow");
        var files = Directory.GetFiles(folder, "*.json").Select(Path.GetFileName).Where(f => f != "parent-with-correlation.json").Order(StringComparer.Ordinal).Append("parent-with-correlation.json").ToList();

        var (view, _) = await ImportAndRunAsync(engine, "integration/ExecuteWorkflow", files!);

        view.AssertSucceeded();
        var child = Assert.Single(await engine.Runtime.ListInstancesAsync(take: 100), i => i.DefinitionId == "child-workflow");
        Assert.Equal("test-correlation-123", (await engine.Runtime.GetInstanceAsync(child.Id))!.CorrelationId);
    }

    // Elsa: test/integration/Elsa.Workflows.IntegrationTests/Scenarios/WorkflowOutputMapping/Tests.cs
    [Fact]
    public async Task WorkflowOutputMapping_ElsaScenario_OutputHoldsTheMappedValue()
    {
        await using var engine = await TestEngine.StartAsync(TestEngine.Sqlite);

        var (view, _) = await ImportAndRunAsync(engine, "integration/WorkflowOutputMapping", ["workflow-output.json"]);

        view.AssertSucceeded();
        Assert.Equal("Foo", view.Output?["Output1"]?.GetValue<string>());
    }

    // Elsa: test/integration/Elsa.Workflows.IntegrationTests/Scenarios/JoinBehaviors/ParallelJoinCompletesTests.cs: "The
    // ParallelForEach activity completes when its Body contains a Join activity", once. Its body (a decision, two lines
    // and a WaitAny join) is a workflow of its own on TaskFlow, run once per item.
    [Fact]
    public async Task ParallelJoin_ElsaScenario_TheLoopCompletesOnceAfterABodyRunPerItem()
    {
        await using var engine = await TestEngine.StartAsync(TestEngine.Sqlite);

        var (view, _) = await ImportAndRunAsync(engine, "integration/JoinBehaviors", ["parallel-join.json"]);

        view.AssertSucceeded();
        var loop = Assert.Single(view.Nodes, n => n.NodeId == "70fc1183cd5800f2");
        var journal = await engine.Runtime.GetJournalAsync(view.Id);
        Assert.Single(journal, j => j.NodeId == "70fc1183cd5800f2" && j.Type == Core.Scheduling.JournalEventType.NodeSucceeded);
        Assert.Equal(3, Assert.IsType<JsonArray>(loop.Output).Count);

        // One run of the body per item, each through the join to its last line (WriteLine2).
        var bodies = (await engine.Runtime.ListInstancesAsync(take: 100)).Where(i => i.DefinitionId != view.DefinitionId).ToList();
        Assert.Equal(3, bodies.Count);
        foreach (var body in bodies)
        {
            var run = (await engine.Runtime.GetInstanceAsync(body.Id))!;
            run.AssertSucceeded();
            Assert.Equal(NodeStatus.Succeeded, Assert.Single(run.Nodes, n => n.NodeId == "343d233a75d8d8e9").Status);
        }
    }

    // Elsa: Scenarios/JoinBehaviors/JoinRunsOnceTests.cs: "The Join activity executes only once, not twice".
    [Fact]
    public async Task JoinRunsOnce_ElsaScenario_TheJoinCompletesOnce()
    {
        await using var engine = await TestEngine.StartAsync(TestEngine.Sqlite);

        var (view, _) = await ImportAndRunAsync(engine, "integration/JoinBehaviors", ["join.json"]);

        view.AssertSucceeded();
        var journal = await engine.Runtime.GetJournalAsync(view.Id);
        Assert.Single(journal, j => j.NodeId == "802725996be1b582" && j.Type == Core.Scheduling.JournalEventType.NodeSucceeded);
    }

    // Elsa: Scenarios/ParentChildCompletion/Tests.cs (the parent finishes), Scenarios/JsonObjectSerialization/Tests.cs (a run
    // whose data holds objects with "$id" finishes and its state reads back), and the component tests BasicWorkflows/HelloWorldTests.cs
    // and WorkflowCompletion/WorkflowCompletionTests.cs (each workflow finishes), and JoinBehaviors/ForkDecisionJoinTests.cs
    // ("An implicit join from the True and False branches should execute": the workflow finishes).
    [Theory]
    [InlineData("integration/ParentChildCompletion", "child.json,parent.json")]
    [InlineData("integration/JsonObjectSerialization", "instance-serialization.json")]
    [InlineData("component/BasicWorkflows", "hello-world.json")]
    [InlineData("component/WorkflowCompletion", "fork.json")]
    [InlineData("component/WorkflowCompletion", "hello-world.json")]
    [InlineData("integration/JoinBehaviors", "decision-merge-join-none.json")]
    public async Task Completion_ElsaScenario_TheWorkflowFinishes(string folder, string files)
    {
        await using var engine = await TestEngine.StartAsync(TestEngine.Sqlite);

        var (view, _) = await ImportAndRunAsync(engine, folder, files.Split(','));

        view.AssertSucceeded();
        Assert.NotNull(await engine.Runtime.GetInstanceAsync(view.Id));
    }

    // Elsa: component/Elsa.Workflows.ComponentTests/Scenarios/InputOutput/InputOutputTests.cs: the consumer gives the
    // provider (a workflow used as an activity) "Hello World!", and the provider's output lands in the consumer's variable.
    [Fact]
    public async Task InputOutput_ElsaScenario_TheVariableHoldsWhatTheProviderGaveBack()
    {
        await using var engine = await TestEngine.StartAsync(TestEngine.Sqlite);

        var (view, _) = await ImportAndRunAsync(engine, "component/InputOutput", ["provider.json", "consumer.json"]);

        view.AssertSucceeded();
        var definition = (await engine.Runtime.GetDefinitionAsync(view.DefinitionId, view.DefinitionVersion))!.Definition;
        var setter = Assert.Single(definition.Nodes, n => n.Type == "setVariable" && n.Inputs["name"]?.GetValue<string>() == "Variable1");
        var output = Assert.Single(view.Nodes, n => n.NodeId == setter.Id).Output;
        Assert.Contains("Hello World!", output?.ToJsonString() ?? "", StringComparison.Ordinal);
    }

    /// <summary>Imports the files as one set, saves them in the order the import gives, runs the last file's workflow.</summary>
    private static async Task<(InstanceView View, List<string> Lines)> ImportAndRunAsync(TestEngine engine, string folder, IReadOnlyList<string> files, JsonObject? input = null)
    {
        var set = ElsaImporter.ConvertSet(files.Select(f => new ElsaImportFile(f, File.ReadAllText(Path.Combine(Corpus, folder, f)))).ToList());
        Assert.True(set.Succeeded, set.ToString());
        foreach (var item in set.Items)
        {
            await engine.Runtime.SaveDefinitionAsync(item.Result.Definition!);
        }

        var main = set.Items.Single(i => i.Name == files[^1]).Result.Definition!;
        var id = await engine.Runtime.StartAsync(main.Id, input);
        var view = await engine.Runtime.WaitAsync(id, TimeSpan.FromMinutes(1));
        Assert.NotNull(view);
        return (view, await LinesAsync(engine.Runtime));
    }

    /// <summary>What the WriteLine activities of every instance wrote: the messages of log nodes, in the order they finished.</summary>
    private static async Task<List<string>> LinesAsync(WorkflowRuntime runtime)
    {
        var lines = new List<(DateTimeOffset At, int Depth, string Text)>();
        foreach (var instance in await runtime.ListInstancesAsync(take: 100))
        {
            var definition = (await runtime.GetDefinitionAsync(instance.DefinitionId, instance.DefinitionVersion))!.Definition;
            var logs = definition.Nodes.Where(n => n.Type == "log").Select(n => n.Id).ToHashSet(StringComparer.Ordinal);
            var depth = Depths(definition);
            var view = (await runtime.GetInstanceAsync(instance.Id))!;
            if (definition.Edges.Exists(e => e.Loop))
            {
                // A loop runs a log node several times, and its state keeps the last round only:
                // the journal has each run, and a literal message says what it wrote.
                var messages = view.Nodes.ToDictionary(n => n.NodeId, n => n.Output?["message"]?.ToString() ?? "", StringComparer.Ordinal);
                lines.AddRange((await runtime.GetJournalAsync(instance.Id))
                    .Where(j => j.Type == JournalEventType.NodeSucceeded && j.NodeId is { } id && logs.Contains(id))
                    .Select(j => (j.At, depth[j.NodeId!], definition.Nodes.Single(n => n.Id == j.NodeId).Inputs["message"] is JsonValue literal && !literal.ToString().Contains("{{", StringComparison.Ordinal) ? literal.ToString() : messages[j.NodeId!])));
                continue;
            }

            lines.AddRange(view.Nodes.Where(n => logs.Contains(n.NodeId) && n.Status == NodeStatus.Succeeded)
                .Select(n => (n.FinishedAt ?? DateTimeOffset.MaxValue, depth[n.NodeId], n.Output?["message"]?.ToString() ?? "")));
        }

        // Nodes committed together can share a finish time; then the one further down the graph wrote later.
        return lines.OrderBy(l => l.At).ThenBy(l => l.Depth).Select(l => l.Text).ToList();
    }

    /// <summary>Each node's longest distance from a start node.</summary>
    private static Dictionary<string, int> Depths(WorkflowDefinition definition)
    {
        var depth = definition.Nodes.ToDictionary(n => n.Id, _ => 0, StringComparer.Ordinal);
        for (var round = 0; round < definition.Nodes.Count; round++)
        {
            foreach (var edge in definition.Edges.Where(e => !e.Loop))
            {
                depth[edge.To] = Math.Max(depth[edge.To], depth[edge.From] + 1);
            }
        }

        return depth;
    }

    /// <summary>
    /// The same lines as Elsa's test expects. Lines written by parallel branches may finish in either
    /// order in TaskFlow (Elsa runs them one after the other on one thread), so the first and last line
    /// are compared in place and the ones between as a set.
    /// </summary>
    private static void AssertLines(string expected, List<string> lines)
    {
        var wanted = expected.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToList();
        Assert.True(wanted.Count == lines.Count, $"Expected {string.Join("; ", wanted)} but got {string.Join("; ", lines)}");
        Assert.Equal(wanted[0], lines[0]);
        Assert.Equal(wanted[^1], lines[^1]);
        Assert.Equal(wanted.Order(StringComparer.Ordinal), lines.Order(StringComparer.Ordinal));
    }
}
