using System.Text.Json.Nodes;

namespace TaskFlow.Server.Tests.Hooks;

/// <summary><c>taskflow hooks pre-task</c> and <c>post-task</c>, claude-flow's commands with TaskFlow's plan, run as the real process.</summary>
public sealed class PrePostTaskTests : IDisposable
{
    private const string Release = "Ship it:\n- Add the endpoint\n- Test the endpoint";

    private readonly string _cwd = Directory.CreateTempSubdirectory("taskflow-pretask-").FullName;

    public void Dispose() => Directory.Delete(_cwd, recursive: true);

    [Fact]
    public async Task PreTask_Json_PrintsClaudeFlowFieldsSubtasksAndGraph_AndStoresThePlan()
    {
        var result = await RunAsync("hooks", "pre-task", "-i", "rel", "-d", Release, "--format", "json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var json = JsonNode.Parse(result.Stdout)!; // the whole of stdout is one JSON document
        Assert.Equal("rel", json["taskId"]!.GetValue<string>());
        Assert.Equal(Release, json["description"]!.GetValue<string>());
        Assert.Contains(json["complexity"]!.GetValue<string>(), new[] { "low", "medium", "high" });
        Assert.NotEmpty(json["estimatedDuration"]!.GetValue<string>());
        Assert.All(json["suggestedAgents"]!.AsArray(), a =>
        {
            Assert.NotEmpty(a!["type"]!.GetValue<string>());
            Assert.InRange(a["confidence"]!.GetValue<double>(), 0, 1);
            Assert.NotEmpty(a["reason"]!.GetValue<string>());
        });
        Assert.IsType<JsonArray>(json["risks"]);
        Assert.NotEmpty(json["recommendations"]!.AsArray());
        Assert.True(DateTimeOffset.TryParse(json["timestamp"]!.GetValue<string>(), out _));
        Assert.Equal(["rel/s1", "rel/s2"], json["subtasks"]!.AsArray().Select(s => s!["taskId"]!.GetValue<string>()));
        Assert.Equal("rel", json["graph"]!["root"]!.GetValue<string>());
        Assert.Contains(json["graph"]!["definitions"]![0]!["nodes"]!.AsArray(), n => n!["id"]!.GetValue<string>() == "aggregate");
        Assert.True(File.Exists(Path.Combine(_cwd, ".taskflow", "hooks", "task-rel.json")));
    }

    [Fact]
    public async Task PostTask_EverySubtaskReported_PrintsTheAggregationWithQualityAsScore()
    {
        await RunAsync("hooks", "pre-task", "-i", "rel", "-d", Release, "--aggregation", "weighted");
        var running = await RunAsync("hooks", "pre-task", "-i", "rel/s1", "-d", "Add the endpoint", "--format", "json");
        Assert.Equal("s1", JsonNode.Parse(running.Stdout)!["subtask"]!.GetValue<string>());

        var first = await RunAsync("hooks", "post-task", "-i", "rel/s1", "--success", "--quality", "0.5", "--agent", "coder", "--format", "json");
        var second = await RunAsync("hooks", "post-task", "-i", "rel/s2", "--success", "true", "-q", "0.5", "-a", "tester", "--format", "json");

        Assert.True(first.ExitCode == 0, first.ToString());
        var firstJson = JsonNode.Parse(first.Stdout)!;
        Assert.Equal(["s2"], firstJson["pending"]!.AsArray().Select(p => p!.GetValue<string>()));
        Assert.Null(firstJson["aggregation"]);
        Assert.True(second.ExitCode == 0, second.ToString());
        var aggregation = JsonNode.Parse(second.Stdout)!["aggregation"]!;
        Assert.True(aggregation["succeeded"]!.GetValue<bool>());
        Assert.Equal("weighted", aggregation["mode"]!.GetValue<string>());
        Assert.Equal(0.5, aggregation["score"]!.GetValue<double>(), 9);
        Assert.Equal(0.5, JsonNode.Parse(second.Stdout)!["quality"]!.GetValue<double>());
    }

    [Fact]
    public async Task PostTask_WholeTaskFailed_RecordsEverySubtaskAsFailedAndPrintsASummary()
    {
        await RunAsync("hooks", "pre-task", "-i", "rel", "-d", Release);

        var result = await RunAsync("hooks", "post-task", "-i", "rel", "--success", "false");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("0 of 2 subtasks succeeded; failed: s1, s2.", result.Stdout);
        Assert.DoesNotContain("[INFO]", result.Stdout);
    }

    [Fact]
    public async Task PreTask_WithoutDescription_ExitsOneWithAClearError()
    {
        var result = await RunAsync("hooks", "pre-task", "-i", "rel", "--format", "json");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("Description is required", result.Stderr);
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public async Task PostTask_QualityOutsideZeroToOne_ExitsOne()
    {
        var result = await RunAsync("hooks", "post-task", "-i", "rel", "--success", "--quality", "80");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("outside 0-1", result.Stderr + result.Stdout);
    }

    [Fact]
    public async Task PostTask_UnknownTask_StillAnswersJsonAndSaysSoOnStderr()
    {
        var result = await RunAsync("hooks", "post-task", "-i", "never-planned", "--success", "--format", "json");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Empty(JsonNode.Parse(result.Stdout)!["recorded"]!.AsArray());
        Assert.Contains("no plan is stored for task never-planned", result.Stderr);
    }

    private Task<CliResult> RunAsync(params string[] arguments) => CliProcess.TaskFlowAsync(arguments, null, _cwd);
}
