using System.Text.Json.Nodes;
using TaskFlow.Core.Decomposition;

namespace TaskFlow.Core.Tests.Decomposition;

public class DecompositionRequestTests
{
    private static DecompositionRequest Parse(string json)
    {
        var request = DecompositionRequest.Parse(JsonNode.Parse(json), out var problems);
        Assert.True(request is not null, string.Join(" | ", problems));
        return request!;
    }

    private static IReadOnlyList<string> Problems(string? json)
    {
        Assert.Null(DecompositionRequest.Parse(json is null ? null : JsonNode.Parse(json), out var problems));
        return problems;
    }

    [Fact]
    public void Parse_ReadsTheTaskItsSubtasksTheStrategyAndTheMode()
    {
        var request = Parse("""
            { "task": { "id": "release", "description": "Ship it", "complexity": 40,
                        "subtasks": [ { "id": "build", "complexity": 10, "weight": 2, "toolHints": ["dotnet"] },
                                      { "id": "test", "dependencies": ["build"], "group": "qa" } ] },
              "strategy": "Sequential", "aggregation": "weighted" }
            """);

        Assert.Equal("release", request.Task.Id);
        Assert.Equal(40, request.Task.Complexity);
        Assert.Equal(["build", "test"], request.Task.Subtasks.Select(s => s.Id));
        Assert.Equal(2, request.Task.Subtasks[0].Weight);
        Assert.Equal(["dotnet"], request.Task.Subtasks[0].ToolHints);
        Assert.Equal(["build"], request.Task.Subtasks[1].Dependencies);
        Assert.Equal(1, request.Task.Subtasks[1].Weight);
        Assert.Equal(DecompositionStrategy.Sequential, request.Strategy);
        Assert.Equal(AggregationMode.Weighted, request.Aggregation);
    }

    [Fact]
    public void Parse_WithoutAnId_DerivesAStableOneFromTheDescription()
    {
        var first = Parse("""{ "task": { "description": "Migrate the billing DB to PostgreSQL 16!" } }""");
        var again = Parse("""{ "task": { "id": " ", "description": "Migrate the billing DB to PostgreSQL 16!" } }""");

        Assert.Matches("^migrate-the-billing-db-to-[0-9a-f]{6}$", first.Task.Id);
        Assert.Equal(first.Task.Id, again.Task.Id);
        Assert.Null(first.Strategy);
        Assert.Null(first.Aggregation);
    }

    [Fact]
    public void IdFor_TextWithoutWords_StillGivesAValidDefinitionId()
    {
        Assert.Matches("^task-[0-9a-f]{6}$", DecompositionRequest.IdFor("→ ✓ …"));
        Assert.Matches("^task-[0-9a-f]{6}$", DecompositionRequest.IdFor(""));
    }

    [Fact]
    public void Parse_ListsEveryProblem()
    {
        var problems = Problems("""{ "task": { "description": "x", "colour": "red" }, "strategy": "diagonal", "aggregation": 3, "extra": true }""");

        Assert.Contains("'extra' is not a field of a decomposition request; it has task, strategy and aggregation.", problems);
        Assert.Contains("strategy is \"diagonal\", which is not a strategy; use auto, parallel, hierarchical, recursive or sequential.", problems);
        Assert.Contains("aggregation is 3, which is not a mode; use sequential, parallel, weighted.", problems);
        Assert.Contains(problems, p => p.StartsWith("task: ", StringComparison.Ordinal) && p.Contains("colour", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(null, "The request is empty; send { \"task\": { \"description\": \"...\" } }.")]
    [InlineData("[]", "The request must be a JSON object: { \"task\": { ... }, \"strategy\": \"auto\" }.")]
    [InlineData("{}", "task is missing; send { \"task\": { \"description\": \"...\" } }.")]
    [InlineData("""{ "task": "do it" }""", "task must be an object: { id?, description, complexity?, subtasks? }.")]
    [InlineData("""{ "task": { "description": "x" }, "strategy": "1" }""", "strategy is \"1\", which is not a strategy; use auto, parallel, hierarchical, recursive or sequential.")]
    public void Parse_ShapesThatAreNotARequest_AreNamed(string? json, string expected)
    {
        Assert.Equal([expected], Problems(json));
    }

    [Fact]
    public void Parse_ASubtaskWithoutAnId_NamesWhereItIs()
    {
        var problems = Problems("""{ "task": { "id": "t", "subtasks": [ { "description": "no id" } ] } }""");

        var problem = Assert.Single(problems);
        Assert.StartsWith("task: ", problem, StringComparison.Ordinal);
        Assert.Contains("id", problem, StringComparison.Ordinal);
    }
}
