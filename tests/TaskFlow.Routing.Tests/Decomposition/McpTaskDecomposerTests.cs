using Microsoft.Extensions.Options;
using TaskFlow.Core.Activities;
using TaskFlow.Core.Decomposition;
using TaskFlow.Engine.Decomposition;
using TaskFlow.Routing.Decomposition;
using TaskFlow.Routing.Tests.Failures;
using TaskFlow.Routing.Tests.Router;

namespace TaskFlow.Routing.Tests.Decomposition;

/// <summary>
/// Decomposition that asks a real MCP server over stdio, through the router, for the subtasks
/// (Fixtures/proposer-server.js, which splits a description at " and ").
/// </summary>
public sealed class McpTaskDecomposerTests : RouterFailureTest
{
    private static readonly IReadOnlyDictionary<string, ActivityDescriptor> Catalog =
        BuiltInActivities.Descriptors.Append(AggregateActivityDescriptor.Descriptor).ToDictionary(d => d.Type, StringComparer.Ordinal);

    private McpTaskDecomposer Decomposer(string? tool) =>
        new(Fixture.Create(new() { ["planner"] = RouterFixture.Stdio(NodeFixtures.Launch("proposer-server.js")) }),
            Options.Create(new TaskDecompositionOptions { ProposerTool = tool, ProposerTimeout = TimeSpan.FromSeconds(30) }));

    private static DecompositionTask Task(string description, int complexity = 40) => new() { Id = "plan", Description = description, Complexity = complexity };

    [Fact]
    public async Task DecomposeAsync_TheToolsProposals_BecomeTheGraph()
    {
        var decomposer = Decomposer("planner.propose_subtasks");

        var result = await TaskDecomposition.DecomposeAsync(Task("design the schema and write the migrations and deploy"), decomposer,
            new DecompositionOptions { Strategy = DecompositionStrategy.Sequential });

        Assert.True(result.Succeeded, string.Join(" | ", result.Problems));
        Assert.Empty(result.Validate(Catalog, new()));
        Assert.Equal(["part1", "part2", "part3"], result.Subtasks.Select(s => s.Id));
        Assert.Equal(["design the schema", "write the migrations", "deploy"], result.Subtasks.Select(s => s.Description));
        Assert.Equal(["part1"], result.Subtasks[1].Dependencies);
        Assert.Equal([13, 13, 13], result.Subtasks.Select(s => s.Complexity));
        Assert.Equal(["planner"], result.Subtasks[0].ToolHints);
        Assert.Equal(["part1", "part2", "part3", "aggregate"], result.Root!.Nodes.Select(n => n.Id));
    }

    [Fact]
    public async Task DecomposeAsync_Recursive_AsksAgainForASubtaskAboveTheThreshold_AtDepthOne()
    {
        var decomposer = Decomposer("planner.propose_subtasks");

        // Each part is above the threshold; the tool proposes nothing at depth 1, so no child workflow is made.
        var result = await TaskDecomposition.DecomposeAsync(Task("migrate and verify", 100), decomposer,
            new DecompositionOptions { Strategy = DecompositionStrategy.Recursive, RecursionThreshold = 30 });

        Assert.True(result.Succeeded, string.Join(" | ", result.Problems));
        Assert.Equal(["plan"], result.Definitions.Select(d => d.Id));
        Assert.Equal(["part1", "part2"], result.Subtasks.Select(s => s.Id));
    }

    [Fact]
    public async Task ProposeAsync_AJsonTextAnswer_IsReadToo()
    {
        var subtasks = await Decomposer("planner.propose_as_text").ProposeAsync(Task("lint and test"), 0);

        Assert.Equal(["lint", "test"], subtasks.Select(s => s.Description));
    }

    [Theory]
    [InlineData("planner.propose_failing", "it answered with an error: planner offline")]
    [InlineData("planner.propose_garbage", "its answer is not JSON")]
    [InlineData("planner.no_such_tool", "the call failed")]
    public async Task ProposeAsync_AToolThatCannotPropose_IsAnErrorNamingTheToolAndTheReason(string tool, string reason)
    {
        var error = await Assert.ThrowsAsync<DecompositionException>(() => Decomposer(tool).ProposeAsync(Task("a and b"), 0).AsTask());

        var problem = Assert.Single(error.Problems);
        Assert.Equal("decomposer.failed", problem.Code);
        Assert.StartsWith($"Task 'plan': the decomposer tool '{tool}' proposed no subtasks: ", problem.Message, StringComparison.Ordinal);
        Assert.Contains(reason, problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProposeAsync_WithoutATool_UsesTheBuiltInRules()
    {
        var subtasks = await Decomposer(null).ProposeAsync(Task("1. lint\n2. test"), 0);

        Assert.Equal(["lint", "test"], subtasks.Select(s => s.Description));
        Assert.Empty(Fixture.ProcessIds("planner"));
    }
}
