using System.Text.Json.Nodes;
using TaskFlow.Core.Activities;
using TaskFlow.Core.Decomposition;
using TaskFlow.Core.Model;
using TaskFlow.Core.Serialization;
using TaskFlow.Core.Templates;
using TaskFlow.Core.Validation;
using static TaskFlow.Core.Tests.Decomposition.DecompositionTestKit;

namespace TaskFlow.Core.Tests.Decomposition;

public class TaskDecompositionTests
{
    //   start ──> a ──┐
    //         ──> b ──┼──> join(WaitAll) ──> aggregate(parallel)
    //         ──> c ──┘
    [Fact]
    public void Decompose_Parallel_FansOutJoinsAndAggregates()
    {
        var result = DecomposeValid(WithSubtasks(Sub("a"), Sub("b"), Sub("c")), Options(DecompositionStrategy.Parallel));

        var root = Assert.Single(result.Definitions);
        Assert.Same(root, result.Root);
        Assert.Equal(DecompositionStrategy.Parallel, result.Strategy);
        Assert.Equal(["start:noop", "a:transform", "b:transform", "c:transform", "join:join", "aggregate:aggregate"], Nodes(root));
        Assert.Equal(["start->a", "start->b", "start->c", "a->join", "b->join", "c->join", "join->aggregate"], Edges(root));
        Assert.Equal("WaitAll", Node(root, "join").Inputs["mode"]!.GetValue<string>());
        Assert.Equal("parallel", Node(root, "aggregate").Inputs["mode"]!.GetValue<string>());
        Assert.Equal(["a", "b", "c"], ResultIds(root, "aggregate"));
        Assert.Equal("{{ nodes.aggregate.output }}", root.Output!.GetValue<string>());
    }

    //   start ──> a ──> c ──> aggregate          a parallel graph still honours dependencies:
    //         ──> b ──┘                          c runs after both a and b
    [Fact]
    public void Decompose_ParallelWithDependencies_RunsADependentAfterItsDependencies()
    {
        var result = DecomposeValid(WithSubtasks(Sub("a"), Sub("b"), Sub("c", dependencies: ["a", "b"])), Options(DecompositionStrategy.Parallel));

        Assert.Equal(["start->a", "start->b", "a->c", "b->c", "c->aggregate"], Edges(result.Root!));
        Assert.DoesNotContain(result.Root!.Nodes, n => n.Type == BuiltInActivities.Join);
    }

    //   b ──> a ──> c ──> aggregate(sequential)      declared order a, b, c; a needs b
    [Fact]
    public void Decompose_Sequential_ChainsInDependencyOrder()
    {
        var result = DecomposeValid(WithSubtasks(Sub("a", dependencies: "b"), Sub("b"), Sub("c")), Options(DecompositionStrategy.Sequential));

        var root = result.Root!;
        Assert.Equal(["b:transform", "a:transform", "c:transform", "aggregate:aggregate"], Nodes(root));
        Assert.Equal(["b->a", "a->c", "c->aggregate"], Edges(root));
        Assert.Equal("sequential", Node(root, "aggregate").Inputs["mode"]!.GetValue<string>());
        Assert.Equal(["b", "a", "c"], ResultIds(root, "aggregate"));
    }

    //          ┌─> g1.fork (Backend) ──> s1, s2 ──> g1.join ──> g1.aggregate ──┐
    //   start ─┤                                                               ├──> join ──> aggregate
    //          └─> g2.fork (Frontend) ─> s3 ───────────────────> g2.aggregate ─┘
    [Fact]
    public void Decompose_HierarchicalWithHeadings_AggregatesEachGroupThenTheGroups()
    {
        const string description = """
            # Release 2.0
            ## Backend
            - Add the orders endpoint
            - Migrate the database
            ## Frontend
            - Build the orders page
            """;

        var result = DecomposeValid(Task(description, 60), Options(DecompositionStrategy.Hierarchical));

        var root = result.Root!;
        Assert.Equal(
            ["start:noop", "g1.fork:noop", "s1:transform", "s2:transform", "g1.join:join", "g1.aggregate:aggregate",
             "g2.fork:noop", "s3:transform", "g2.aggregate:aggregate", "join:join", "aggregate:aggregate"],
            Nodes(root));
        Assert.Equal(
            ["start->g1.fork", "g1.fork->s1", "g1.fork->s2", "s1->g1.join", "s2->g1.join", "g1.join->g1.aggregate",
             "start->g2.fork", "g2.fork->s3", "s3->g2.aggregate", "g1.aggregate->join", "g2.aggregate->join", "join->aggregate"],
            Edges(root));
        Assert.Equal("Backend", Node(root, "g1.fork").Name);
        Assert.Equal("Frontend", Node(root, "g2.fork").Name);
        Assert.Equal(["s1", "s2"], ResultIds(root, "g1.aggregate"));
        Assert.Equal(["g1.aggregate", "g2.aggregate"], ResultIds(root, "aggregate"));
    }

    //   start ─> g1.fork ─> a, b ─> g1.join ─> g1.aggregate ─> g2.fork ─> c ─> g2.aggregate ─> g3.fork ─> d ─> g3.aggregate ─> aggregate
    //   (layers: {a, b}, {c: needs a}, {d: needs c and b}; layer 3 waits only for layer 2, which already waited for layer 1)
    [Fact]
    public void Decompose_HierarchicalWithDependencies_GroupsByLayerInSequence()
    {
        var task = WithSubtasks(Sub("a"), Sub("b"), Sub("c", dependencies: "a"), Sub("d", dependencies: ["c", "b"]));

        var result = DecomposeValid(task, Options(DecompositionStrategy.Hierarchical));

        var root = result.Root!;
        Assert.Equal(
            ["start->g1.fork", "g1.fork->a", "g1.fork->b", "a->g1.join", "b->g1.join", "g1.join->g1.aggregate",
             "g1.aggregate->g2.fork", "g2.fork->c", "c->g2.aggregate",
             "g2.aggregate->g3.fork", "g3.fork->d", "d->g3.aggregate",
             "g3.aggregate->aggregate"],
            Edges(root));
        Assert.Equal(["Layer 1", "Layer 2", "Layer 3"], root.Nodes.Where(n => n.Id.EndsWith(".fork", StringComparison.Ordinal)).Select(n => n.Name));
    }

    //   start ─┬─> g1.fork ─> a, b, c ─> g1.join ─> g1.aggregate ─┐
    //          ├─> g2.fork ─> d, e, f ─> g2.join ─> g2.aggregate ─┼─> join ─> aggregate
    //          └─> g3.fork ─> g ──────────────────> g3.aggregate ─┘      (7 subtasks: runs of ⌈√7⌉ = 3)
    [Fact]
    public void Decompose_HierarchicalWithoutGroupsOrDependencies_GroupsRunsOfSquareRootSize()
    {
        var task = WithSubtasks(Sub("a"), Sub("b"), Sub("c"), Sub("d"), Sub("e"), Sub("f"), Sub("g"));

        var result = DecomposeValid(task, Options(DecompositionStrategy.Hierarchical));

        var root = result.Root!;
        Assert.Equal(["a", "b", "c"], ResultIds(root, "g1.aggregate"));
        Assert.Equal(["d", "e", "f"], ResultIds(root, "g2.aggregate"));
        Assert.Equal(["g"], ResultIds(root, "g3.aggregate"));
        Assert.Equal(["Part 1", "Part 2", "Part 3"], root.Nodes.Where(n => n.Id.EndsWith(".fork", StringComparison.Ordinal)).Select(n => n.Name));
    }

    //   root "task":  start ──> build(workflow task.build) ──┐
    //                       ──> docs ────────────────────────┴──> join ──> aggregate
    //   child "task.build":  start ──> s1, s2, s3 ──> join ──> aggregate
    [Fact]
    public void Decompose_Recursive_RunsAComplexSubtaskAsAChildWorkflow()
    {
        var build = new Subtask
        {
            Id = "build",
            Complexity = 80,
            Description = "Build the service:\n- Write the API\n- Write the storage layer\n- Write the tests",
        };
        var task = WithSubtasks(build, Sub("docs", 20));

        var result = DecomposeValid(task, Options(DecompositionStrategy.Recursive));

        Assert.Equal(["task.build", "task"], result.Definitions.Select(d => d.Id));
        var root = result.Root!;
        var workflow = Node(root, "build");
        Assert.Equal(BuiltInActivities.Workflow, workflow.Type);
        Assert.Equal("task.build", workflow.Inputs["definitionId"]!.GetValue<string>());
        Assert.Equal(BuiltInActivities.Transform, Node(root, "docs").Type);

        var child = result.Definitions[0];
        Assert.Equal(["start:noop", "s1:transform", "s2:transform", "s3:transform", "join:join", "aggregate:aggregate"], Nodes(child));
        Assert.Equal(["Write the API", "Write the storage layer", "Write the tests"], child.Nodes.Where(n => n.Type == "transform").Select(n => n.Name));
        // The child's subtasks share the parent subtask's complexity out by length.
        Assert.Equal(80, child.Nodes.Where(n => n.Type == "transform").Sum(n => n.Inputs["value"]!["complexity"]!.GetValue<int>()));
    }

    //   task ──> task.s1 ──> task.s1.s1 ──> task.s1.s1.s1     nested lists, each level above the threshold
    [Fact]
    public void Decompose_RecursiveNestedLists_GeneratesOneDefinitionPerLevelWithinMaxDepth()
    {
        const string description = """
            - Ship the platform
              - Ship the backend
                - Ship the API
                  - Write the handlers
                  - Write the tests
                - Ship the jobs
              - Ship the frontend
            - Write the announcement
            """;

        var result = DecomposeValid(Task(description, 100), new DecompositionOptions { Strategy = DecompositionStrategy.Recursive, RecursionThreshold = 10 });

        Assert.Equal(["task.s1.s1.s1", "task.s1.s1", "task.s1", "task"], result.Definitions.Select(d => d.Id));
        Assert.Equal("task.s1", Node(result.Root!, "s1").Inputs["definitionId"]!.GetValue<string>());
        Assert.Equal(["Write the handlers", "Write the tests"], result.Definitions[0].Nodes.Where(n => n.Type == "transform").Select(n => n.Name));
    }

    [Fact]
    public void Decompose_RecursiveUnsplittableComplexSubtask_StaysOneNode()
    {
        var task = WithSubtasks(new Subtask { Id = "big", Complexity = 95, Description = "One indivisible job." }, Sub("small"));

        var result = DecomposeValid(task, Options(DecompositionStrategy.Recursive));

        Assert.Equal(DecompositionStrategy.Recursive, result.Strategy);
        Assert.Equal(BuiltInActivities.Transform, Node(Assert.Single(result.Definitions), "big").Type);
    }

    public static TheoryData<string, DecompositionStrategy> AutoCases => new()
    {
        // A subtask above the threshold that splits: recursive.
        { "- Build it\n  - the API\n  - the jobs\n- Document it", DecompositionStrategy.Recursive },
        // Sequencing words chain every step: sequential.
        { "First clone the repository, then build it, and finally run the tests.", DecompositionStrategy.Sequential },
        // Two headings: hierarchical.
        { "## Backend\n- API\n- Jobs\n## Frontend\n- Pages", DecompositionStrategy.Hierarchical },
        // Headings with a sequence inside each: dependencies, but not one chain: hierarchical.
        { "## Backend\nFirst write the API. Then test it.\n## Frontend\nFirst draw the page. Then test it.", DecompositionStrategy.Hierarchical },
        // A plain list: parallel.
        { "- Fix the login bug\n- Update the changelog\n- Bump the version", DecompositionStrategy.Parallel },
        // No structure at all: one subtask, parallel.
        { "Investigate why the nightly build is slow.", DecompositionStrategy.Parallel },
    };

    [Theory]
    [MemberData(nameof(AutoCases))]
    public void Decompose_Auto_PicksTheStrategyFromTheShapeOfTheTask(string description, DecompositionStrategy expected)
    {
        // Complexity 100: the first case's "Build it" gets well over the threshold of 60 by length share.
        var result = DecomposeValid(Task(description, 100), new DecompositionOptions { RecursionThreshold = expected == DecompositionStrategy.Recursive ? 30 : 60 });

        Assert.Equal(expected, result.Strategy);
    }

    //          ┌─> g1.fork (Backend) ──> s1 ──> s2 ──> g1.aggregate ─┐
    //   start ─┼─> g2.fork (Frontend) ─> s3 ──> s4 ──> g2.aggregate ─┼──> join ──> aggregate
    //          └─> g3.fork (Announce it) ─> s5 ──────> g3.aggregate ─┘
    [Fact]
    public void Decompose_TheExampleOfTheDocs_IsHierarchicalByHeading()
    {
        const string description = """
            # Release 2.0
            Everything for the spring release.
            ## Backend
            1. Add the orders endpoint
            2. Then migrate the database
            ## Frontend
            First design the page, then build it.
            ## Announce it
            """;

        var result = DecomposeValid(Task(description, 80));

        Assert.Equal(DecompositionStrategy.Hierarchical, result.Strategy);
        Assert.Equal(
            [("s1", "Add the orders endpoint", ""), ("s2", "Migrate the database", "s1"), ("s3", "Design the page", ""), ("s4", "Build it", "s3"), ("s5", "Announce it", "")],
            result.Subtasks.Select(s => (s.Id, s.Description, string.Join(",", s.Dependencies))));
        Assert.Equal(
            ["start->g1.fork", "g1.fork->s1", "s1->s2", "s2->g1.aggregate", "start->g2.fork", "g2.fork->s3", "s3->s4", "s4->g2.aggregate",
             "start->g3.fork", "g3.fork->s5", "s5->g3.aggregate", "g1.aggregate->join", "g2.aggregate->join", "g3.aggregate->join", "join->aggregate"],
            Edges(result.Root!));
        Assert.Equal(["Backend", "Frontend", "Announce it"], result.Root!.Nodes.Where(n => n.Id.EndsWith(".fork", StringComparison.Ordinal)).Select(n => n.Name));
    }

    [Fact]
    public void Decompose_AutoWithExplicitChain_PicksSequential()
    {
        var result = DecomposeValid(WithSubtasks(Sub("a"), Sub("b", dependencies: "a"), Sub("c", dependencies: "b")));

        Assert.Equal(DecompositionStrategy.Sequential, result.Strategy);
        Assert.Equal(["a->b", "b->c", "c->aggregate"], Edges(result.Root!));
    }

    [Fact]
    public void Decompose_SubtaskNode_CarriesTheSubtaskForTheActivityThatRunsIt()
    {
        var subtask = new Subtask
        {
            Id = "lint",
            Description = "Run the linter on {{ changed files }}",
            Complexity = 15,
            Weight = 2.5,
            Dependencies = ["build", "build"],
            ToolHints = ["eslint", "{{ shell }}"],
            Group = "Checks",
        };

        var result = DecomposeValid(WithSubtasks(Sub("build"), subtask), Options(DecompositionStrategy.Parallel));

        var node = Node(result.Root!, "lint");
        Assert.Equal("Run the linter on {{ \"{{\" }} changed files }}", node.Inputs["value"]!["description"]!.GetValue<string>());
        // Rendered by the template engine, as the engine does before running it, the text comes back unchanged.
        var rendered = TemplatedJson.Compile(node.Inputs).Render(new JsonObject())!;
        Assert.Equal(
            """{"value":{"id":"lint","description":"Run the linter on {{ changed files }}","complexity":15,"weight":2.5,"dependencies":["build"],"toolHints":["eslint","{{ shell }}"],"group":"Checks"}}""",
            rendered.ToJsonString());
    }

    [Fact]
    public void Decompose_CustomSubtaskActivity_PutsTheSubtaskInTheNamedInput()
    {
        var hook = new ActivityDescriptor("hook.subtask", "Hooks", "Runs a subtask through a hook.", [new("subtask", "object", Required: true)], ["done"]);
        var catalog = Catalog.Values.Append(hook).ToDictionary(d => d.Type);
        var options = new DecompositionOptions { Strategy = DecompositionStrategy.Parallel, SubtaskActivity = "hook.subtask", SubtaskInput = "subtask" };

        var result = TaskDecomposition.Decompose(WithSubtasks(Sub("a"), Sub("b")), options);

        Assert.Empty(result.Validate(catalog, options.Limits));
        Assert.All(result.Root!.Nodes.Where(n => n.Id is "a" or "b"), n =>
        {
            Assert.Equal("hook.subtask", n.Type);
            Assert.Equal(n.Id, n.Inputs["subtask"]!["id"]!.GetValue<string>());
        });
    }

    [Fact]
    public void Decompose_WithoutTheAggregateDescriptor_FailsValidationNamingTheType()
    {
        var builtInsOnly = BuiltInActivities.Descriptors.ToDictionary(d => d.Type);

        var problems = TaskDecomposition.Decompose(WithSubtasks(Sub("a"), Sub("b"))).Validate(builtInsOnly, new());

        var problem = Assert.Single(problems);
        Assert.Equal("node.type.unknown", problem.Code);
        Assert.StartsWith("task: Node 'aggregate' uses unknown activity type 'aggregate'", problem.Message);
    }

    [Fact]
    public void Decompose_Weighted_GivesTheAggregateNormalisedWeights()
    {
        var task = WithSubtasks(Sub("a", weight: 1), Sub("b", weight: 3), Sub("c", weight: 0));

        var result = DecomposeValid(task, Options(DecompositionStrategy.Parallel, AggregationMode.Weighted));

        Assert.Equal("weighted", Node(result.Root!, "aggregate").Inputs["mode"]!.GetValue<string>());
        Assert.Equal([0.25, 0.75, 0], Weights(result.Root!, "aggregate"));
    }

    [Fact]
    public void Decompose_WeightedHierarchical_WeighsEachGroupByTheSumOfItsMembers()
    {
        var task = WithSubtasks(
            Sub("a", weight: 1) with { Group = "x" }, Sub("b", weight: 1) with { Group = "x" },
            Sub("c", weight: 6) with { Group = "y" }, Sub("d", weight: 0) with { Group = "z" });

        var result = DecomposeValid(task, Options(DecompositionStrategy.Hierarchical, AggregationMode.Weighted));

        var root = result.Root!;
        Assert.Equal([0.5, 0.5], Weights(root, "g1.aggregate"));
        Assert.Equal([1.0], Weights(root, "g2.aggregate"));
        // A group whose members all weigh 0 weighs 0 itself; inside it they share equally.
        Assert.Equal([1.0], Weights(root, "g3.aggregate"));
        Assert.Equal([0.25, 0.75, 0], Weights(root, "aggregate"));
    }

    [Fact]
    public void Decompose_NotWeighted_LeavesWeightsOut()
    {
        var result = DecomposeValid(WithSubtasks(Sub("a"), Sub("b")), Options(DecompositionStrategy.Parallel));

        Assert.False(Node(result.Root!, "aggregate").Inputs.ContainsKey("weights"));
    }

    [Fact]
    public void Decompose_SameInputTwice_GivesTheSameJson()
    {
        const string description = "## Backend\n- API\n  - handlers\n  - tests\n- Jobs\n## Frontend\nFirst draw it. Then build it.";

        string Json() => string.Join("\n", TaskDecomposition.Decompose(Task(description, 100), new DecompositionOptions { RecursionThreshold = 20 }).Definitions.Select(WorkflowJson.Serialize));

        Assert.Equal(Json(), Json());
    }

    [Fact]
    public void Decompose_Definition_SurvivesAJsonRoundTripAndStillValidates()
    {
        var result = DecomposeValid(Task("## A\n- one\n- two\n## B\n- three", 40));

        var json = WorkflowJson.Serialize(result.Root!);
        var validator = new WorkflowValidator(Catalog, new());
        var problems = validator.Validate(json, out var parsed);

        Assert.Empty(problems);
        Assert.Equal(json, WorkflowJson.Serialize(parsed!));
    }

    //   task:  start ──> s1(workflow task.s1) ──┐
    //                ──> s2 ────────────────────┴──> join ──> aggregate
    //   task.s1:  start ──> s1, s2 ──> join ──> aggregate
    [Fact]
    public void Decompose_RecursiveResult_RunsToTheEndUnderTheSchedulingRules()
    {
        var result = DecomposeValid(Task("- Build it\n  - the API\n  - the jobs\n- Document it", 100), new DecompositionOptions { RecursionThreshold = 30 });

        var (run, outcome) = ScheduledRun.Start(result);

        Assert.Equal(InstanceStatus.Succeeded, outcome.Status);
        Assert.Equal("task/aggregate", run.Executed[^1]);
        Assert.True(run.Executed.IndexOf("task.s1/aggregate") < run.Executed.IndexOf("task/aggregate"));
        var results = outcome.Output!["results"]!.AsArray();
        Assert.Equal(["succeeded", "succeeded"], results.Select(r => r!["status"]!.GetValue<string>()));
        Assert.True(outcome.Output!["succeeded"]!.GetValue<bool>());
        Assert.Equal("All 2 subtasks succeeded.", outcome.Output!["summary"]!.GetValue<string>());
        // The workflow node's output is the child's aggregate output, which lists the child's subtasks.
        Assert.Equal(["s1", "s2"], results[0]!["output"]!["results"]!.AsArray().Select(r => r!["id"]!.GetValue<string>()));
        Assert.Equal("Document it", results[1]!["output"]!["description"]!.GetValue<string>());
    }

    [Fact]
    public async Task DecomposeAsync_WithAnotherDecomposer_UsesItsProposalsAtEveryLevel()
    {
        // A stand-in for the MCP decomposer, which needs a running server: it splits any task
        // above complexity 25 into two halves and records what it was asked.
        var decomposer = new HalvingDecomposer();

        var result = await TaskDecomposition.DecomposeAsync(Task("Anything at all.", 100), decomposer, new DecompositionOptions { Strategy = DecompositionStrategy.Recursive, RecursionThreshold = 30 });

        Assert.True(result.Succeeded, string.Join(" | ", result.Problems));
        Assert.Empty(result.Validate(Catalog, new()));
        Assert.Equal([("task", 0), ("task.left", 1), ("task.right", 1)], decomposer.Asked);
        Assert.Equal(["task.left", "task.right", "task"], result.Definitions.Select(d => d.Id));
    }

    private sealed class HalvingDecomposer : ITaskDecomposer
    {
        public List<(string Id, int Depth)> Asked { get; } = [];

        public ValueTask<IReadOnlyList<Subtask>> ProposeAsync(DecompositionTask task, int depth, CancellationToken cancellationToken = default)
        {
            Asked.Add((task.Id, depth));
            IReadOnlyList<Subtask> halves = task.Complexity <= 25
                ? []
                : [new Subtask { Id = "left", Description = "Left half", Complexity = task.Complexity / 2 },
                   new Subtask { Id = "right", Description = "Right half", Complexity = task.Complexity - (task.Complexity / 2) }];
            return ValueTask.FromResult(halves);
        }
    }
}
