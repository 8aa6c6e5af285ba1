using System.Text.Json.Nodes;

namespace TaskFlow.Server.Tests.Cli;

/// <summary><c>taskflow decompose</c>.</summary>
public sealed partial class TaskFlowCommandTests
{
    [Fact]
    public async Task Decompose_PrintsTheGraphAsJson_OrAsAnOutline()
    {
        var (code, json, errors) = await RunSeparatelyAsync(TimeSpan.FromMinutes(1), "decompose", "First build it, then test it, and finally ship it", "--id", "release");
        var (outlineCode, outline, _) = await RunSeparatelyAsync(TimeSpan.FromMinutes(1), "decompose", "- lint\n- test", "--strategy", "parallel", "--outline");

        Assert.True(code == 0, errors);
        var result = JsonNode.Parse(json)!;
        Assert.Equal("sequential", result["strategy"]!.GetValue<string>());
        Assert.Equal("release", result["root"]!.GetValue<string>());
        Assert.Equal(["s1", "s2", "s3", "aggregate"], result["definitions"]![0]!["nodes"]!.AsArray().Select(n => n!["id"]!.GetValue<string>()));
        Assert.Equal(0, outlineCode);
        Assert.Matches(@"^Workflow lint-test-[0-9a-f]{6} \(parallel, 2 subtasks\):\n1\. \[s1\] lint\n2\. \[s2\] test\n$", outline.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task Decompose_AJsonRequestFile_AndSave_StoresEveryDefinition()
    {
        Directory.CreateDirectory(_data);
        var file = Path.Combine(_data, "request.json");
        await File.WriteAllTextAsync(file, """
            { "task": { "id": "nested", "description": "- Build it\n  - the API\n  - the jobs\n- Document it", "complexity": 100 }, "strategy": "recursive" }
            """);

        var (code, json, errors) = await RunSeparatelyAsync(TimeSpan.FromMinutes(2), "decompose", "--file", file, "--save", "--data", Path.Combine(_data, "db"));
        var (again, _, againErrors) = await RunSeparatelyAsync(TimeSpan.FromMinutes(2), "decompose", "--file", file, "--save", "--data", Path.Combine(_data, "db"));

        Assert.True(code == 0, errors);
        Assert.Equal(["nested.s1", "nested"], JsonNode.Parse(json)!["definitions"]!.AsArray().Select(d => d!["id"]!.GetValue<string>()));
        Assert.Contains("saved nested.s1 version 1", errors, StringComparison.Ordinal);
        Assert.Contains("saved nested version 1", errors, StringComparison.Ordinal);
        Assert.Equal(0, again);
        Assert.Contains("saved nested version 2", againErrors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Decompose_BadInput_SaysWhatIsWrong()
    {
        var (none, _, noneErrors) = await RunSeparatelyAsync(TimeSpan.FromMinutes(1), "decompose");
        var (badStrategy, _, strategyErrors) = await RunSeparatelyAsync(TimeSpan.FromMinutes(1), "decompose", "- a\n- b", "--strategy", "spiral");
        var (tooComplex, tooComplexOut, complexErrors) = await RunSeparatelyAsync(TimeSpan.FromMinutes(1), "decompose", "- a\n- b", "--complexity", "500");
        var (missing, _, missingErrors) = await RunSeparatelyAsync(TimeSpan.FromMinutes(1), "decompose", "--file", Path.Combine(_data, "nope.txt"));

        Assert.Equal(2, none);
        Assert.Contains("Give the task as text", noneErrors, StringComparison.Ordinal);
        Assert.Equal(2, badStrategy);
        Assert.Contains("strategy is \"spiral\", which is not a strategy", strategyErrors, StringComparison.Ordinal);
        Assert.Equal(1, tooComplex);
        Assert.Equal("", tooComplexOut);
        Assert.Contains("500", complexErrors, StringComparison.Ordinal);
        Assert.Equal(2, missing);
        Assert.Contains("No such file", missingErrors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Decompose_RequestFileWithRunners_BecomesExecAndMcpCall_AndUnknownMembersAreNamed()
    {
        Directory.CreateDirectory(_data);
        var good = Path.Combine(_data, "runners.json");
        await File.WriteAllTextAsync(good, """
            { "task": { "id": "ship", "description": "Ship it.", "workspace": { "mode": "process" }, "subtasks": [
                { "id": "test", "description": "Run the tests", "command": ["make", "test"] },
                { "id": "remember", "description": "Remember it", "tool": "memory.create_entities", "arguments": { "entities": [] }, "tier": 1 } ] } }
            """);
        var bad = Path.Combine(_data, "unknown.json");
        await File.WriteAllTextAsync(bad, """
            { "task": { "id": "ship", "description": "Ship it.", "subtasks": [ { "id": "test", "description": "Run the tests", "run": "make test", "owner": "ann" } ] } }
            """);

        var (code, json, errors) = await RunSeparatelyAsync(TimeSpan.FromMinutes(1), "decompose", "--file", good);
        var (badCode, badOut, badErrors) = await RunSeparatelyAsync(TimeSpan.FromMinutes(1), "decompose", "--file", bad);

        Assert.True(code == 0, errors);
        var nodes = JsonNode.Parse(json)!["definitions"]![0]!["nodes"]!.AsArray();
        var test = nodes.Single(n => (string?)n!["id"] == "test")!;
        Assert.Equal(("exec", "process"), ((string?)test["type"], (string?)test["workspace"]!["mode"]));
        var remember = nodes.Single(n => (string?)n!["id"] == "remember")!;
        Assert.Equal(("mcp.call", 1), ((string?)remember["type"], (int?)remember["tier"]));
        Assert.NotEqual(0, badCode);
        Assert.Equal("", badOut);
        Assert.Contains("task.subtasks[0] ('test').run is not a member of a subtask", badErrors, StringComparison.Ordinal);
        Assert.Contains("task.subtasks[0] ('test').owner is not a member of a subtask", badErrors, StringComparison.Ordinal);
    }
}
