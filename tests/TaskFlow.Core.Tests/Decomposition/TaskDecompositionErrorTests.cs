using TaskFlow.Core.Decomposition;
using TaskFlow.Core.Validation;
using static TaskFlow.Core.Tests.Decomposition.DecompositionTestKit;

namespace TaskFlow.Core.Tests.Decomposition;

/// <summary>Every input the decomposition refuses: a clear problem, never a partial graph.</summary>
public class TaskDecompositionErrorTests
{
    [Theory]
    [InlineData("", "task.id.missing", "The task has no id")]
    [InlineData("has space", "task.id.invalid", "Task id 'has space' is invalid: it becomes the workflow definition id")]
    [InlineData("-dash", "task.id.invalid", "Task id '-dash' is invalid")]
    public void Decompose_BadTaskId_NamesTheId(string id, string code, string message)
    {
        var problem = Problem(Task("Do it.", id: id));

        Assert.Equal(code, problem.Code);
        Assert.StartsWith(message, problem.Message);
    }

    [Theory]
    [InlineData(-1, "complexity.invalid", "Task 'task' has complexity -1; complexity is 0 to maxComplexity (100).")]
    [InlineData(101, "limit.complexity", "Task 'task' has complexity 101, more than maxComplexity (100).")]
    public void Decompose_TaskComplexityOutOfRange_NamesTheValueAndTheLimit(int complexity, string code, string message)
    {
        var problem = Problem(Task("Do it.", complexity));

        Assert.Equal(code, problem.Code);
        Assert.Equal(message, problem.Message);
    }

    [Fact]
    public void Decompose_SubtaskComplexityAboveTheConfiguredLimit_NamesIt()
    {
        var options = new DecompositionOptions { Limits = new WorkflowLimits { MaxComplexity = 10 }, RecursionThreshold = 5 };

        var problem = Problem(WithSubtasks(Sub("a", 11), Sub("b", 3)) with { Complexity = 10 }, options);

        Assert.Equal("limit.complexity", problem.Code);
        Assert.Equal("subtask 'a'", problem.Target);
        Assert.Equal("Subtask 'a' has complexity 11, more than maxComplexity (10).", problem.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \n  ")]
    public void Decompose_NoDescriptionAndNoSubtasks_SaysWhatIsMissing(string description)
    {
        var problem = Problem(Task(description));

        Assert.Equal("task.empty", problem.Code);
        Assert.Equal("Task 'task' has no description and no subtasks; describe the task or list its subtasks.", problem.Message);
    }

    [Fact]
    public void Decompose_DuplicateSubtaskIds_NamesTheId()
    {
        var problem = Problem(WithSubtasks(Sub("a"), Sub("b"), Sub("a")));

        Assert.Equal("subtask.id.duplicate", problem.Code);
        Assert.Equal("Subtask id 'a' is used more than once; subtask ids must be unique within their task.", problem.Message);
    }

    [Fact]
    public void Decompose_SelfDependency_NamesTheSubtask()
    {
        var problem = Problem(WithSubtasks(Sub("a"), Sub("b", dependencies: "b")));

        Assert.Equal("subtask.dependency.self", problem.Code);
        Assert.Equal("Subtask 'b' depends on itself; remove 'b' from its dependencies.", problem.Message);
    }

    [Fact]
    public void Decompose_UnknownDependency_NamesTheMissingId()
    {
        var problem = Problem(WithSubtasks(Sub("a"), Sub("b", dependencies: "zz")));

        Assert.Equal("subtask.dependency.unknown", problem.Code);
        Assert.Equal("Subtask 'b' depends on 'zz', which is not a subtask of the same task; known ids: a, b.", problem.Message);
    }

    //   a needs c, c needs b, b needs a
    [Fact]
    public void Decompose_DependencyCycle_SpellsOutTheCycle()
    {
        var problem = Problem(WithSubtasks(Sub("a", dependencies: "c"), Sub("b", dependencies: "a"), Sub("c", dependencies: "b"), Sub("d")), Options(DecompositionStrategy.Sequential));

        Assert.Equal("subtask.dependency.cycle", problem.Code);
        Assert.Equal("Subtasks depend on each other in a cycle: 'a' -> 'c' -> 'b' -> 'a' (each needs the next); remove one of these dependencies.", problem.Message);
    }

    [Theory]
    [InlineData(-0.5, "Subtask 'a' has weight -0.5; a weight is a finite number, 0 or more.")]
    [InlineData(double.NaN, "Subtask 'a' has weight NaN; a weight is a finite number, 0 or more.")]
    [InlineData(double.PositiveInfinity, "Subtask 'a' has weight Infinity; a weight is a finite number, 0 or more.")]
    public void Decompose_BadWeight_NamesTheValue(double weight, string message)
    {
        var problem = Problem(WithSubtasks(Sub("a", weight: weight), Sub("b")));

        Assert.Equal("subtask.weight.invalid", problem.Code);
        Assert.Equal(message, problem.Message);
    }

    [Fact]
    public void Decompose_WeightedWithEveryWeightZero_IsRefused()
    {
        var problem = Problem(WithSubtasks(Sub("a", weight: 0), Sub("b", weight: 0)), Options(DecompositionStrategy.Parallel, AggregationMode.Weighted));

        Assert.Equal("subtask.weight.zero", problem.Code);
        Assert.Equal("Every subtask of Task 'task' has weight 0, so a weighted aggregation has nothing to weigh; give at least one subtask a positive weight.", problem.Message);
    }

    [Fact]
    public void Decompose_NotWeightedWithEveryWeightZero_IsFine()
    {
        DecomposeValid(WithSubtasks(Sub("a", weight: 0), Sub("b", weight: 0)), Options(DecompositionStrategy.Parallel));
    }

    [Fact]
    public void Decompose_MoreExplicitSubtasksThanMaxSubtasks_NamesTheCountAndTheLimit()
    {
        var subtasks = Enumerable.Range(1, 51).Select(i => Sub($"t{i}")).ToArray();

        var problem = Problem(WithSubtasks(subtasks));

        Assert.Equal("limit.subtasks", problem.Code);
        Assert.Equal("Task 'task' has 51 subtasks, more than max_subtasks (50); merge some of them or raise the limit.", problem.Message);
    }

    [Fact]
    public void Decompose_DescriptionWithMoreItemsThanMaxSubtasks_IsRefusedNotTruncated()
    {
        var description = string.Join("\n", Enumerable.Range(1, 4).Select(i => $"- step {i}"));
        var options = new DecompositionOptions { Limits = new WorkflowLimits { MaxSubtasks = 3 } };

        var problem = Problem(Task(description), options);

        Assert.Equal("limit.subtasks", problem.Code);
        Assert.Equal("Task 'task' has 4 subtasks, more than max_subtasks (3); merge some of them or raise the limit.", problem.Message);
    }

    [Fact]
    public void Decompose_RecursionDeeperThanMaxDepth_NamesTheSubtaskTheDepthAndTheLimit()
    {
        // Seven levels of nesting, every level splitting in two, and a threshold of 0: each level wants another child.
        var lines = new List<string>();
        for (var level = 0; level < 7; level++)
        {
            lines.Add(new string(' ', level * 2) + $"- level {level}");
            lines.Add(new string(' ', level * 2) + $"- sibling {level}");
        }

        // The siblings come after their nested list in the text, so each "level n" item holds the rest.
        var description = string.Join("\n", Reorder(lines));
        var options = new DecompositionOptions { Strategy = DecompositionStrategy.Recursive, RecursionThreshold = 0 };

        var problem = Problem(Task(description, 100), options);

        Assert.Equal("limit.depth", problem.Code);
        Assert.Equal("subtask 's1/s1/s1/s1/s1/s1'", problem.Target);
        Assert.Matches(
            @"^Subtask 's1/s1/s1/s1/s1/s1' has complexity \d+, above the recursion threshold \(0\), and splits into 2 subtasks, but its child workflow would nest 6 levels deep, more than max_depth \(5\); raise the threshold, simplify the subtask or raise max_depth\.$",
            problem.Message);

        static IEnumerable<string> Reorder(List<string> lines)
        {
            // "- level 0" / "  - level 1" / ... / "  - sibling 1" / "- sibling 0": each level's item encloses the deeper ones.
            var items = lines.Where((_, i) => i % 2 == 0).ToList();
            var siblings = lines.Where((_, i) => i % 2 == 1).Reverse();
            return items.Concat(siblings);
        }
    }

    [Fact]
    public void Decompose_RecursionWithinMaxDepth_Validates()
    {
        // Five levels below the root is exactly max_depth.
        var description = string.Join("\n", Enumerable.Range(0, 6).Select(level => new string(' ', level * 2) + $"- level {level}")
            .Concat(Enumerable.Range(0, 6).Reverse().Select(level => new string(' ', level * 2) + $"- sibling {level}")));

        var result = DecomposeValid(Task(description, 100), new DecompositionOptions { Strategy = DecompositionStrategy.Recursive, RecursionThreshold = 0 });

        Assert.Equal(6, result.Definitions.Count);
        Assert.Contains(result.Definitions, d => d.Id == "task.s1.s1.s1.s1.s1");
    }

    [Theory]
    [InlineData("join", "subtask.id.reserved", "Subtask id 'join' is reserved for a node of the generated graph (start, join, aggregate); rename the subtask.")]
    [InlineData("Aggregate", "subtask.id.reserved", "Subtask id 'Aggregate' is reserved")]
    [InlineData("g1.fork", "subtask.id.invalid", "Subtask id 'g1.fork' is invalid: it becomes a node id, so use letters, digits, '-' and '_', at most 64 characters, not starting with '-'.")]
    [InlineData("has space", "subtask.id.invalid", "Subtask id 'has space' is invalid")]
    public void Decompose_SubtaskIdThatCannotBeANodeId_IsRefused(string id, string code, string message)
    {
        var problem = Problem(WithSubtasks(Sub(id), Sub("other")));

        Assert.Equal(code, problem.Code);
        Assert.StartsWith(message, problem.Message);
    }

    [Fact]
    public void Decompose_SubtaskWithoutDescription_IsRefused()
    {
        var problem = Problem(WithSubtasks(Sub("a") with { Description = " " }, Sub("b")));

        Assert.Equal("subtask.description.empty", problem.Code);
        Assert.Equal("Subtask 'a' has no description; say what it should do.", problem.Message);
    }

    [Fact]
    public void Decompose_ChildDefinitionIdTooLong_NamesTheLength()
    {
        var taskId = new string('t', 100);
        var subtask = new Subtask { Id = new string('s', 40), Complexity = 90, Description = "- one\n- two" };

        var problem = Problem(WithSubtasks(subtask, Sub("b")) with { Id = taskId }, Options(DecompositionStrategy.Recursive));

        Assert.Equal("subtask.id.too-long", problem.Code);
        Assert.EndsWith("whose id has 141 characters, more than 128; use shorter task or subtask ids.", problem.Message);
    }

    [Fact]
    public void Decompose_InvalidOptions_ListsEveryProblem()
    {
        var options = new DecompositionOptions { RecursionThreshold = 150, SubtaskActivity = " ", Limits = new WorkflowLimits { MaxSubtasks = 0 } };

        var problems = Problems(Task("Do it."), options);

        Assert.All(problems, p => Assert.Equal("options.invalid", p.Code));
        Assert.Equal(
            [
                "The decomposition options are invalid: Limits.MaxSubtasks is 0; it must be 1 or more.",
                "The decomposition options are invalid: RecursionThreshold is 150; it must be 0 to maxComplexity (100).",
                "The decomposition options are invalid: SubtaskActivity is empty; name the activity type that runs a subtask, such as transform.",
            ],
            problems.Select(p => p.Message));
    }

    [Fact]
    public void Decompose_SeveralProblems_ReportsThemAllAtOnce()
    {
        var problems = Problems(WithSubtasks(Sub("a", 120), Sub("a"), Sub("c", dependencies: "x")) with { Complexity = -3 });

        Assert.Equal(["complexity.invalid"], problems.Select(p => p.Code));

        var subtaskProblems = Problems(WithSubtasks(Sub("a", 120), Sub("a"), Sub("c", dependencies: "x")));
        Assert.Equal(["limit.complexity", "subtask.id.duplicate", "subtask.dependency.unknown"], subtaskProblems.Select(p => p.Code));
    }

    [Fact]
    public void EnsureSucceeded_Failed_ThrowsWithEveryProblemInTheMessage()
    {
        var result = TaskDecomposition.Decompose(WithSubtasks(Sub("a", dependencies: "a"), Sub("a")));

        var error = Assert.Throws<DecompositionException>(() => result.EnsureSucceeded());

        Assert.Equal(2, error.Problems.Count);
        Assert.StartsWith("The task cannot be decomposed (2 problems):", error.Message);
        Assert.Contains("- Subtask id 'a' is used more than once", error.Message);
        Assert.Contains("- Subtask 'a' depends on itself", error.Message);
    }

    [Fact]
    public async Task DecomposeAsync_DecomposerProposesNothing_IsRefused()
    {
        var result = await TaskDecomposition.DecomposeAsync(Task("Anything."), new FixedDecomposer(_ => []));

        var problem = Assert.Single(result.Problems);
        Assert.Equal("task.no-subtasks", problem.Code);
        Assert.Equal("Task 'task': no subtasks were proposed for its description; list the subtasks explicitly.", problem.Message);
    }

    [Fact]
    public async Task DecomposeAsync_BadProposalOneLevelDown_NamesTheSubtaskPath()
    {
        // A stand-in for an MCP decomposer that answers badly for a child: duplicate ids.
        var decomposer = new FixedDecomposer(task => task.Id == "task"
            ? [new Subtask { Id = "big", Description = "Big", Complexity = 90 }, new Subtask { Id = "small", Description = "Small", Complexity = 10 }]
            : [new Subtask { Id = "x", Description = "X" }, new Subtask { Id = "x", Description = "Y" }]);

        var result = await TaskDecomposition.DecomposeAsync(Task("Anything.", 100), decomposer, Options(DecompositionStrategy.Recursive));

        var problem = Assert.Single(result.Problems);
        Assert.Equal("subtask 'big/x'", problem.Target);
        Assert.Equal("Subtask id 'big/x' is used more than once; subtask ids must be unique within their task.", problem.Message);
    }

    private sealed class FixedDecomposer(Func<DecompositionTask, IReadOnlyList<Subtask>> propose) : ITaskDecomposer
    {
        public ValueTask<IReadOnlyList<Subtask>> ProposeAsync(DecompositionTask task, int depth, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(propose(task));
    }
}
