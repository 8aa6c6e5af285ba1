using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using TaskFlow.Server.Tests.Infrastructure;

namespace TaskFlow.Server.Tests.Decomposition;

/// <summary>
/// Decomposition through the server: <c>POST /api/decompose</c>, and the task-decomposition MCP
/// server through the official C# client, over Streamable HTTP at <c>/mcp/task-decomposition</c>
/// and over stdio from <c>taskflow mcp task-decomposition</c>.
/// </summary>
public sealed class TaskDecompositionServerTests
{
    private static readonly Dictionary<string, string?> Settings = new()
    {
        ["TaskFlow:Workspaces:DefaultIsolation"] = "Process",
        ["TaskFlow:Workspaces:WarmPoolSize"] = "0",
    };

    private const string Release = """
        Release 2.0:
        1. Build the packages
        2. Run the test suite
        3. Publish the release notes
        """;

    [Fact]
    public async Task RestApi_Decompose_ReturnsTheGraph_AndSaveStoresEveryDefinition()
    {
        await using var app = await TaskFlowApp.StartAsync(TaskFlowApp.Sqlite, Settings);

        var preview = await PostAsync(app, new JsonObject { ["task"] = new JsonObject { ["id"] = "release", ["description"] = Release, ["complexity"] = 30 }, ["strategy"] = "sequential" });
        Assert.Equal(HttpStatusCode.OK, preview.Status);
        Assert.Equal("sequential", preview.Body["strategy"]!.GetValue<string>());
        Assert.Equal("release", preview.Body["root"]!.GetValue<string>());
        Assert.Equal(["s1", "s2", "s3"], preview.Body["subtasks"]!.AsArray().Select(s => s!["id"]!.GetValue<string>()));
        Assert.Equal(["s1", "s2", "s3", "aggregate"], preview.Body["definitions"]![0]!["nodes"]!.AsArray().Select(n => n!["id"]!.GetValue<string>()));
        Assert.False(preview.Body["saved"]!.GetValue<bool>());
        Assert.StartsWith("Workflow release (sequential, 3 subtasks):", preview.Body["outline"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await app.Client.GetAsync("/api/definitions/release")).StatusCode);

        var saved = await PostAsync(app, new JsonObject { ["task"] = new JsonObject { ["id"] = "release", ["description"] = Release }, ["save"] = true });
        Assert.True(saved.Body["saved"]!.GetValue<bool>());
        var stored = await app.GetAsync<JsonObject>("/api/definitions/release");
        Assert.Equal(3, stored["definition"]!["nodes"]!.AsArray().Count(n => n!["type"]!.GetValue<string>() == "transform"));

        var run = await app.Client.PostAsync("/api/definitions/release/run?wait=true&timeout=60", TaskFlowApp.JsonBody("{}"));
        var instance = await TaskFlowApp.ReadAsync(run);
        Assert.Equal("Succeeded", instance["status"]!.GetValue<string>());
        Assert.Equal("All 3 subtasks succeeded.", instance["output"]!["summary"]!.GetValue<string>());
    }

    [Fact]
    public async Task RestApi_Decompose_BadRequests_ListEveryProblem_AndStoreNothing()
    {
        await using var app = await TaskFlowApp.StartAsync(TaskFlowApp.Sqlite, Settings);

        var malformed = await app.Client.PostAsync("/api/decompose", TaskFlowApp.JsonBody("{ not json"));
        var wrong = await PostAsync(app, JsonNode.Parse("""{ "task": { "description": "x" }, "strategy": "zigzag", "aggregation": "median", "save": "yes" }""")!.AsObject());
        var wrongFields = await PostAsync(app, JsonNode.Parse("""{ "task": { "description": "x" }, "strategy": "zigzag", "aggregation": "median" }""")!.AsObject());
        var tooComplex = await PostAsync(app, JsonNode.Parse("""{ "task": { "id": "huge", "description": "- a\n- b", "complexity": 101 }, "save": true }""")!.AsObject());

        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, wrong.Status);
        Assert.Equal("save is \"yes\"; it must be true or false.", wrong.Body["detail"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.BadRequest, wrongFields.Status);
        Assert.Equal(2, wrongFields.Body["errors"]!.AsArray().Count);
        Assert.Equal("The task cannot be decomposed.", wrongFields.Body["title"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.BadRequest, tooComplex.Status);
        Assert.Contains("101", tooComplex.Body["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await app.Client.GetAsync("/api/definitions/huge")).StatusCode);
    }

    [Fact]
    public async Task RestApi_Decompose_NeedsTheKey()
    {
        await using var app = await TaskFlowApp.StartAsync(TaskFlowApp.Sqlite, Settings);

        var response = await app.CreateAnonymousClient().PostAsync("/api/decompose", TaskFlowApp.JsonBody("""{ "task": { "description": "x" } }"""));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task McpServer_OverHttp_DecomposeAggregateRunStatus_AndBadArgumentsAreToolErrors()
    {
        await using var app = await TaskFlowApp.StartAsync(TaskFlowApp.Sqlite, Settings);
        await using var client = await McpClient.CreateAsync(new HttpClientTransport(
            new HttpClientTransportOptions { Endpoint = new Uri(app.Client.BaseAddress!, "/mcp/task-decomposition"), TransportMode = HttpTransportMode.StreamableHttp },
            app.Client));

        Assert.Equal("task-decomposition", client.ServerInfo?.Name);
        var tools = await client.ListToolsAsync();
        Assert.Equal(["aggregate", "complete_task", "decompose", "fail_task", "heartbeat_task", "next_task", "run", "status"], tools.Select(t => t.Name).Order());
        Assert.All(tools, t => Assert.Equal("https://json-schema.org/draft/2020-12/schema", t.JsonSchema.GetProperty("$schema").GetString()));

        // Only tools: what the gateway federates (resources, prompts, subscriptions) is not offered here.
        Assert.Null(client.ServerCapabilities.Resources);
        // (A 2026-07-28 client gets -32601 with HTTP 404, which the SDK's client throws as an HTTP error.)
        Assert.Contains("-32601", (await Assert.ThrowsAnyAsync<Exception>(() => client.ListResourcesAsync().AsTask())).Message, StringComparison.Ordinal);
        Assert.Contains("-32601", (await Assert.ThrowsAnyAsync<Exception>(() => client.SubscribeToResourceAsync("memory://knowledge-graph"))).Message, StringComparison.Ordinal);

        await ExerciseAsync(client, async id => await app.GetAsync<JsonObject>($"/api/definitions/{id}"));

        // The gateway at /mcp is still the gateway.
        await using var gateway = await McpClient.CreateAsync(new HttpClientTransport(
            new HttpClientTransportOptions { Endpoint = new Uri(app.Client.BaseAddress!, "/mcp"), TransportMode = HttpTransportMode.StreamableHttp },
            app.Client));
        Assert.Equal("taskflow-gateway", gateway.ServerInfo?.Name);
    }

    [Fact]
    public async Task McpServer_OverHttp_NeedsTheKey()
    {
        await using var app = await TaskFlowApp.StartAsync(TaskFlowApp.Sqlite, Settings);

        var response = await app.CreateAnonymousClient().PostAsync("/mcp/task-decomposition", TaskFlowApp.JsonBody("""{ "jsonrpc": "2.0", "id": 1, "method": "tools/list" }"""));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task McpServer_OverStdio_FromTheCommandLine()
    {
        var data = Directory.CreateTempSubdirectory("taskflow-td-stdio-").FullName;
        try
        {
            await using var client = await McpClient.CreateAsync(new StdioClientTransport(new StdioClientTransportOptions
            {
                Name = "task-decomposition",
                Command = "dotnet",
                Arguments = [Path.Combine(AppContext.BaseDirectory, "taskflow.dll"), "mcp", "task-decomposition"],
                EnvironmentVariables = new Dictionary<string, string?>
                {
                    ["TaskFlow__Engine__DataDirectory"] = data,
                    ["TaskFlow__Workspaces__DefaultIsolation"] = "Process",
                    ["TaskFlow__Workspaces__WarmPoolSize"] = "0",
                },
                WorkingDirectory = AppContext.BaseDirectory,
            }),

            // A .NET process starting on a busy machine can take longer than the SDK's 5 s probe.
            new McpClientOptions { DiscoverProbeTimeout = TimeSpan.FromSeconds(60) });

            Assert.Equal("task-decomposition", client.ServerInfo?.Name);
            await ExerciseAsync(client, definitionOf: null);
            Assert.True(File.Exists(Path.Combine(data, "taskflow.db")), "The stdio server keeps its workflows in the data folder's database.");
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    /// <summary>The same conversation over either transport.</summary>
    private static async Task ExerciseAsync(McpClient client, Func<string, Task<JsonObject>>? definitionOf)
    {
        var decomposed = await client.CallToolAsync("decompose", new Dictionary<string, object?>
        {
            ["task"] = new { id = "ship", description = Release, complexity = 30 },
            ["strategy"] = "parallel",
            ["save"] = true,
        });
        Assert.NotEqual(true, decomposed.IsError);
        var structured = decomposed.StructuredContent!.Value;
        Assert.Equal("parallel", structured.GetProperty("strategy").GetString());
        Assert.Equal(3, structured.GetProperty("subtasks").GetArrayLength());
        Assert.StartsWith("Workflow ship (parallel, 3 subtasks):\n1. [s1] Build the packages", Text(decomposed), StringComparison.Ordinal);
        if (definitionOf is not null)
        {
            Assert.Equal("ship", (await definitionOf("ship"))["id"]!.GetValue<string>());
        }

        var run = await client.CallToolAsync("run", new Dictionary<string, object?>
        {
            ["task"] = new { description = "- lint\n- test" },
            ["wait_seconds"] = 60,
        });
        Assert.NotEqual(true, run.IsError);
        var instanceId = run.StructuredContent!.Value.GetProperty("instance_id").GetString()!;
        Assert.Equal("succeeded", run.StructuredContent!.Value.GetProperty("status").GetString());
        Assert.Equal("All 2 subtasks succeeded.", run.StructuredContent!.Value.GetProperty("output").GetProperty("summary").GetString());

        var status = await client.CallToolAsync("status", new Dictionary<string, object?> { ["instance_id"] = instanceId });
        Assert.Equal("succeeded", status.StructuredContent!.Value.GetProperty("status").GetString());
        Assert.Contains(status.StructuredContent!.Value.GetProperty("nodes").EnumerateArray(), n => n.GetProperty("id").GetString() == "aggregate" && n.GetProperty("status").GetString() == "succeeded");

        var aggregated = await client.CallToolAsync("aggregate", new Dictionary<string, object?>
        {
            ["mode"] = "weighted",
            ["results"] = new object[] { new { id = "a", status = "succeeded", score = 0.5 }, new { id = "b", status = "failed", error = "timeout" } },
            ["weights"] = new[] { 1, 1 },
        });
        Assert.NotEqual(true, aggregated.IsError);
        Assert.Equal(0.25, aggregated.StructuredContent!.Value.GetProperty("score").GetDouble(), 9);
        Assert.Equal("1 of 2 subtasks succeeded; failed: b. Weighted score 0.25.", Text(aggregated));

        // Mistakes are tool errors that say what is wrong.
        var unknownArgument = await client.CallToolAsync("decompose", new Dictionary<string, object?> { ["task"] = new { description = "x" }, ["depth"] = 3 });
        var badStrategy = await client.CallToolAsync("decompose", new Dictionary<string, object?> { ["task"] = new { description = "x" }, ["strategy"] = "spiral" });
        var noTask = await client.CallToolAsync("run", new Dictionary<string, object?> { ["wait_seconds"] = 1 });
        var tooLong = await client.CallToolAsync("run", new Dictionary<string, object?> { ["task"] = new { description = "x" }, ["wait_seconds"] = 9999 });
        var overLimit = await client.CallToolAsync("decompose", new Dictionary<string, object?> { ["task"] = new { description = string.Join("\n", Enumerable.Range(1, 51).Select(i => $"- step {i}")) } });
        var badResults = await client.CallToolAsync("aggregate", new Dictionary<string, object?> { ["mode"] = "parallel", ["results"] = "all good" });
        var missing = await client.CallToolAsync("status", new Dictionary<string, object?> { ["instance_id"] = "nope" });
        Assert.All([unknownArgument, badStrategy, noTask, tooLong, overLimit, badResults, missing], r => Assert.True(r.IsError));
        Assert.Equal("Unknown argument 'depth'; this tool takes save, decomposer, task, strategy, aggregation.", Text(unknownArgument));
        Assert.Equal("strategy is \"spiral\", which is not a strategy; use auto, parallel, hierarchical, recursive or sequential.", Text(badStrategy));
        Assert.Equal("task is missing; send { \"task\": { \"description\": \"...\" } }.", Text(noTask));
        Assert.Equal("'wait_seconds' is 9999; it must be a whole number from 0 to 300.", Text(tooLong));
        Assert.Contains("51", Text(overLimit), StringComparison.Ordinal);
        Assert.Equal("results is the text 'all good', not a list; give one entry per subtask: { id, status, output }.", Text(badResults));
        Assert.Equal("There is no instance 'nope'.", Text(missing));

        var unknownTool = await Assert.ThrowsAsync<ModelContextProtocol.McpProtocolException>(() => client.CallToolAsync("explode").AsTask());
        Assert.Contains("Unknown tool 'explode'", unknownTool.Message, StringComparison.Ordinal);
    }

    private static async Task<(HttpStatusCode Status, JsonObject Body)> PostAsync(TaskFlowApp app, JsonObject body)
    {
        var response = await app.Client.PostAsync("/api/decompose", TaskFlowApp.JsonBody(body.ToJsonString()));
        return (response.StatusCode, (await TaskFlowApp.ReadAsync(response)).AsObject());
    }

    private static string Text(CallToolResult result) => string.Concat(result.Content.OfType<TextContentBlock>().Select(c => c.Text));
}
