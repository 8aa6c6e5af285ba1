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
        Assert.Contains("task.colour is not a member of a task; it has id, description, complexity, subtasks, workspace.", problems);
    }

    [Fact]
    public void Parse_UnknownSubtaskMembers_NamesEveryOne()
    {
        var problems = Problems("""
            { "task": { "description": "x", "subtasks": [
                { "id": "test", "description": "run the unit tests", "comand": ["dotnet", "test"] },
                { "id": "notes", "description": "write the notes", "owner": "ann", "due": "friday" } ] } }
            """);

        Assert.Equal(
            [
                "task.subtasks[0] ('test').comand is not a member of a subtask; it has id, description, complexity, dependencies, weight, toolHints, group, command, script, tool, arguments, workflow, workspace, tier.",
                "task.subtasks[1] ('notes').owner is not a member of a subtask; it has id, description, complexity, dependencies, weight, toolHints, group, command, script, tool, arguments, workflow, workspace, tier.",
                "task.subtasks[1] ('notes').due is not a member of a subtask; it has id, description, complexity, dependencies, weight, toolHints, group, command, script, tool, arguments, workflow, workspace, tier.",
            ],
            problems);
    }

    [Fact]
    public void Parse_SubtasksThatSayWhatRuns_AreRead()
    {
        var request = DecompositionRequest.Parse(JsonNode.Parse("""
            { "task": { "id": "rel", "description": "Release", "workspace": { "mode": "process" }, "subtasks": [
                { "id": "test", "description": "run the tests", "command": ["dotnet", "test"], "tier": 2 },
                { "id": "remember", "description": "store it", "tool": "memory.create_entities", "arguments": { "entities": [] } },
                { "id": "docs", "description": "build the docs", "workflow": "docs-build" } ] } }
            """), out var problems);

        Assert.Empty(problems);
        var subtasks = request!.Task.Subtasks;
        Assert.Equal([SubtaskRunner.Exec, SubtaskRunner.Tool, SubtaskRunner.Workflow], subtasks.Select(s => s.Runner));
        Assert.Equal(["dotnet", "test"], subtasks[0].Command!);
        Assert.Equal(2, subtasks[0].Tier);
        Assert.Equal("process", request.Task.Workspace!.Mode);
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
