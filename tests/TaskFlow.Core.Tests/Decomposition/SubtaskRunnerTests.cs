using System.Text.Json.Nodes;
using TaskFlow.Core.Decomposition;
using TaskFlow.Core.Model;

namespace TaskFlow.Core.Tests.Decomposition;

/// <summary>Subtasks that say what runs: a command or script, a tool, a workflow, or nothing (the subtask activity).</summary>
public class SubtaskRunnerTests
{
    private static DecompositionTask Release(params Subtask[] subtasks) => new()
    {
        Id = "release",
        Description = "Ship the release.",
        Complexity = 40,
        Workspace = new WorkspacePolicy { Mode = "process" },
        Subtasks = subtasks,
    };

    private static NodeDefinition Node(DecompositionResult result, string id) => Assert.Single(result.Root!.Nodes, n => n.Id == id);

    [Fact]
    public void Decompose_EachKind_BecomesItsActivity()
    {
        var result = TaskDecomposition.Decompose(Release(
            new Subtask { Id = "test", Description = "Run the tests", Command = ["dotnet", "test", "{{ input.project }}"] },
            new Subtask { Id = "pack", Description = "Pack it", Script = "tar czf out.tgz .", Workspace = new WorkspacePolicy { Mode = "container", Image = "alpine:3.20" } },
            new Subtask { Id = "remember", Description = "Remember the release", Tool = "memory.create_entities", Arguments = new JsonObject { ["entities"] = new JsonArray() }, Tier = 1 },
            new Subtask { Id = "docs", Description = "Build the docs", Workflow = "docs-build" },
            new Subtask { Id = "review", Description = "Review the notes" }));

        Assert.True(result.Succeeded, string.Join(" | ", result.Problems.Select(p => p.Message)));

        var test = Node(result, "test");
        Assert.Equal("exec", test.Type);
        Assert.Equal("""["dotnet","test","{{ input.project }}"]""", test.Inputs["command"]!.ToJsonString());
        Assert.Equal("process", test.Workspace!.Mode);

        var pack = Node(result, "pack");
        Assert.Equal("exec", pack.Type);
        Assert.Equal("tar czf out.tgz .", pack.Inputs["script"]!.GetValue<string>());
        Assert.Equal("container", pack.Workspace!.Mode);
        Assert.Equal("alpine:3.20", pack.Workspace.Image);

        var remember = Node(result, "remember");
        Assert.Equal("mcp.call", remember.Type);
        Assert.Equal("memory.create_entities", remember.Inputs["tool"]!.GetValue<string>());
        Assert.Equal("""{"entities":[]}""", remember.Inputs["arguments"]!.ToJsonString());
        Assert.Equal(1, remember.Tier);
        Assert.Null(remember.Workspace);

        var docs = Node(result, "docs");
        Assert.Equal("workflow", docs.Type);
        Assert.Equal("docs-build", docs.Inputs["definitionId"]!.GetValue<string>());

        var review = Node(result, "review");
        Assert.Equal("transform", review.Type);
        Assert.Null(review.Workspace);
    }

    [Fact]
    public void Decompose_ComplexSubtaskThatRunsACommand_StaysALeaf()
    {
        var result = TaskDecomposition.Decompose(Release(
            new Subtask { Id = "build", Description = "- compile\n- link\n- strip", Complexity = 90, Script = "make" },
            new Subtask { Id = "ship", Description = "- upload\n- announce", Complexity = 90 }));

        Assert.True(result.Succeeded);
        Assert.Equal(DecompositionStrategy.Recursive, result.Strategy);
        Assert.Equal("exec", Node(result, "build").Type);
        Assert.Equal("workflow", Node(result, "ship").Type);
        // The child level inherits the task's workspace.
        Assert.Equal(["release.ship", "release"], result.Definitions.Select(d => d.Id));
    }

    [Fact]
    public void Decompose_BadRunners_NamesEveryProblemAndBuildsNothing()
    {
        var problems = DecompositionTestKit.Problems(Release(
            new Subtask { Id = "a", Description = "x", Command = ["make"], Tool = "memory.read_graph" },
            new Subtask { Id = "b", Description = "x", Command = ["make", " "] },
            new Subtask { Id = "c", Description = "x", Script = "  " },
            new Subtask { Id = "d", Description = "x", Arguments = new JsonObject() },
            new Subtask { Id = "e", Description = "x", Workflow = "no such id" },
            new Subtask { Id = "f", Description = "x", Workspace = new WorkspacePolicy { Mode = "process" } },
            new Subtask { Id = "g", Description = "x", Tool = "t", Tier = 7 }));

        Assert.Equal(
            [
                ("subtask.runner.conflict", "subtask 'a'"),
                ("subtask.command.invalid", "subtask 'b'"),
                ("subtask.script.empty", "subtask 'c'"),
                ("subtask.arguments.without-tool", "subtask 'd'"),
                ("subtask.workflow.invalid", "subtask 'e'"),
                ("subtask.workspace.unused", "subtask 'f'"),
                ("subtask.tier.invalid", "subtask 'g'"),
            ],
            problems.Select(p => (p.Code, p.Target)));
        Assert.Equal("Subtask 'a' has command and tool; a subtask runs one thing: a command, a script, a tool or a workflow.", problems[0].Message);
    }

    [Fact]
    public void Decompose_AgentSubtaskActivity_SubtaskWithoutRunnerIsAnAgentTaskCorrelatedByIds()
    {
        var result = TaskDecomposition.Decompose(
            Release(
                new Subtask { Id = "review", Description = "Review {{ the }} notes", ToolHints = ["release-review"] },
                new Subtask { Id = "test", Description = "Run the tests", Script = "make test" }),
            new DecompositionOptions { SubtaskActivity = "agent" });

        Assert.True(result.Succeeded);
        var review = Node(result, "review");
        Assert.Equal("agent", review.Type);
        Assert.Equal("release-review", review.Inputs["capability"]!.GetValue<string>());
        Assert.Equal("""{"task":"release","subtask":"review"}""", review.Inputs["correlation"]!.ToJsonString());
        Assert.Equal("Review {{ \"{{\" }} the }} notes", review.Inputs["description"]!.GetValue<string>());
        Assert.Equal("exec", Node(result, "test").Type);
    }
}
