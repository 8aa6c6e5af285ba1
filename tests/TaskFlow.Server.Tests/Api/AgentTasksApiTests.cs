using System.Net;
using System.Text.Json.Nodes;
using ModelContextProtocol.Client;
using TaskFlow.Server.Tests.Infrastructure;

namespace TaskFlow.Server.Tests.Api;

/// <summary>
/// Agent tasks: an <c>agent</c> node waits until an agent claims it under a lease and completes or
/// fails it, over <c>/api/agent-tasks</c> or the task-decomposition MCP tools.
/// </summary>
public sealed class AgentTasksApiTests
{
    //  review(agent) ──> report(transform of the agent's output)
    private const string Definition = """
        { "id": "review", "nodes": [
            { "id": "review", "type": "agent", "inputs": {
                "title": "Review pull request {{ input.pr }}", "description": "Check the tests.", "capability": "code-review",
                "input": { "pr": "{{ input.pr }}" }, "correlation": { "session": "s-1", "subtask": "review" }, "lease": "{{ input.lease }}" } },
            { "id": "report", "type": "transform", "inputs": { "value": "{{ nodes.review.output.verdict }}" } } ],
          "edges": [ { "from": "review", "to": "report" } ] }
        """;

    private static async Task<string> StartAsync(TaskFlowApp app, string lease = "5m")
    {
        await app.SaveAsync(Definition);
        using var run = await app.Client.PostAsync("/api/definitions/review/run", TaskFlowApp.JsonBody($$"""{ "input": { "pr": "42", "lease": "{{lease}}" } }"""));
        return (string)(await TaskFlowApp.ReadAsync(run))["id"]!;
    }

    private static async Task<(HttpStatusCode Status, JsonNode Body)> PostAsync(TaskFlowApp app, string path, string json)
    {
        using var response = await app.Client.PostAsync(path, TaskFlowApp.JsonBody(json));
        return (response.StatusCode, await TaskFlowApp.ReadAsync(response));
    }

    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task Rest_ClaimHeartbeatComplete_TheWorkflowGoesOnWithTheOutput(string provider)
    {
        await using var app = await TaskFlowApp.StartAsync(provider);
        var instance = await StartAsync(app);
        var task = await app.SingleAsync("/api/agent-tasks?status=ready&capability=code-review", "No ready agent task");
        Assert.Empty(await app.GetAsync<JsonArray>("/api/agent-tasks?status=ready&capability=deploy"));
        Assert.Equal(("Review pull request 42", "code-review", "s-1", "42"), ((string?)task["title"], (string?)task["capability"], (string?)task["correlation"]!["session"], (string?)task["input"]!["pr"]));
        var id = (string)task["id"]!;

        var claim = await PostAsync(app, $"/api/agent-tasks/{id}/claim", """{ "agent": "reviewer-1" }""");
        Assert.Equal(HttpStatusCode.OK, claim.Status);
        Assert.Equal(("claimed", "reviewer-1"), ((string?)claim.Body["task"]!["status"], (string?)claim.Body["task"]!["claimedBy"]));
        var lease = (string)claim.Body["leaseToken"]!;
        Assert.Empty(await app.GetAsync<JsonArray>("/api/agent-tasks?status=ready"));

        var second = await PostAsync(app, $"/api/agent-tasks/{id}/claim", """{ "agent": "reviewer-2" }""");
        Assert.Equal(HttpStatusCode.Conflict, second.Status);
        Assert.StartsWith($"Agent task '{id}' is claimed by reviewer-1 until ", (string?)second.Body["detail"]);

        // The holder claiming again (its first answer lost, say) gets the same lease, renewed.
        var repeated = await PostAsync(app, $"/api/agent-tasks/{id}/claim", """{ "agent": "reviewer-1", "lease": "2h" }""");
        Assert.Equal(HttpStatusCode.OK, repeated.Status);
        Assert.Equal(lease, (string?)repeated.Body["leaseToken"]);
        Assert.True(DateTimeOffset.Parse((string)repeated.Body["leaseUntil"]!, System.Globalization.CultureInfo.InvariantCulture) > DateTimeOffset.UtcNow.AddHours(1.5));

        var heartbeat = await PostAsync(app, $"/api/agent-tasks/{id}/heartbeat", $$"""{ "leaseToken": "{{lease}}" }""");
        Assert.Equal(HttpStatusCode.OK, heartbeat.Status);

        var stale = await PostAsync(app, $"/api/agent-tasks/{id}/complete", """{ "leaseToken": "not-the-lease", "output": { "verdict": "forged" } }""");
        Assert.Equal(HttpStatusCode.Conflict, stale.Status);
        Assert.Equal($"The lease token is not the current lease of agent task '{id}': it was claimed again (by reviewer-1) after this lease expired. Nothing was changed; claim the task to work on it.", (string?)stale.Body["detail"]);
        Assert.Equal("claimed", (string?)(await app.GetAsync<JsonObject>($"/api/agent-tasks/{id}"))["status"]);

        var done = await PostAsync(app, $"/api/agent-tasks/{id}/complete", $$"""{ "leaseToken": "{{lease}}", "output": { "verdict": "approve" } }""");
        Assert.Equal(HttpStatusCode.OK, done.Status);
        var view = await app.FinishedAsync(instance);
        Assert.Equal("Succeeded", (string?)view["status"]);
        Assert.Equal("approve", (string?)view["nodes"]!.AsArray().Single(n => (string?)n!["nodeId"] == "report")!["output"]);
        var journal = await app.GetAsync<JsonArray>($"/api/instances/{instance}/journal");
        Assert.Equal("Agent task completed by reviewer-1.", (string?)journal.Single(j => (string?)j!["type"] == "NodeResumed")!["message"]);

        // Finished: no second claim, no second completion, and the task says so.
        var again = await PostAsync(app, $"/api/agent-tasks/{id}/claim", """{ "agent": "reviewer-2" }""");
        var twice = await PostAsync(app, $"/api/agent-tasks/{id}/complete", $$"""{ "leaseToken": "{{lease}}", "output": { "verdict": "reject" } }""");
        Assert.Equal((HttpStatusCode.Conflict, HttpStatusCode.Conflict), (again.Status, twice.Status));
        Assert.Equal($"Agent task '{id}' is already completed; a finished task cannot be claimed, renewed, completed or failed again.", (string?)again.Body["detail"]);
        Assert.Equal("completed", (string?)(await app.GetAsync<JsonObject>($"/api/agent-tasks/{id}"))["status"]);
        Assert.Equal("approve", (string?)(await app.GetAsync<JsonObject>($"/api/instances/{instance}"))["nodes"]!.AsArray().Single(n => (string?)n!["nodeId"] == "report")!["output"]);
    }

    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task Rest_ClaimNotRenewed_Expires_AnotherAgentTakesIt_TheOldLeaseIsRefused(string provider)
    {
        await using var app = await TaskFlowApp.StartAsync(provider);
        var instance = await StartAsync(app, lease: "1s");
        var id = (string)(await app.SingleAsync("/api/agent-tasks?status=ready", "No ready agent task"))["id"]!;

        var first = await PostAsync(app, $"/api/agent-tasks/{id}/claim", """{ "agent": "slow" }""");
        Assert.Equal(HttpStatusCode.OK, first.Status);
        var oldLease = (string)first.Body["leaseToken"]!;

        // The claim is not renewed: the task is ready again once its lease runs out.
        await app.SingleAsync("/api/agent-tasks?status=ready", "The expired claim did not make the task ready");
        var late = await PostAsync(app, $"/api/agent-tasks/{id}/complete", $$"""{ "leaseToken": "{{oldLease}}", "output": { "verdict": "late" } }""");
        Assert.Equal(HttpStatusCode.Conflict, late.Status);
        Assert.StartsWith($"The lease on agent task '{id}' expired at ", (string?)late.Body["detail"]);

        var second = await PostAsync(app, $"/api/agent-tasks/{id}/claim", """{ "agent": "fast", "lease": "5m" }""");
        Assert.Equal(HttpStatusCode.OK, second.Status);
        var stale = await PostAsync(app, $"/api/agent-tasks/{id}/heartbeat", $$"""{ "leaseToken": "{{oldLease}}" }""");
        Assert.Equal(HttpStatusCode.Conflict, stale.Status);
        Assert.Contains("it was claimed again (by fast)", (string?)stale.Body["detail"]);

        var done = await PostAsync(app, $"/api/agent-tasks/{id}/complete", $$"""{ "leaseToken": "{{(string)second.Body["leaseToken"]!}}", "output": { "verdict": "fast" } }""");
        Assert.Equal(HttpStatusCode.OK, done.Status);
        var view = await app.FinishedAsync(instance);
        Assert.Equal("fast", (string?)view["nodes"]!.AsArray().Single(n => (string?)n!["nodeId"] == "report")!["output"]);
    }

    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task Rest_BadInput_ClearProblem_NothingChanged(string provider)
    {
        await using var app = await TaskFlowApp.StartAsync(provider);
        await StartAsync(app);
        var id = (string)(await app.SingleAsync("/api/agent-tasks?status=ready", "No ready agent task"))["id"]!;

        var noAgent = await PostAsync(app, $"/api/agent-tasks/{id}/claim", "{}");
        var badLease = await PostAsync(app, $"/api/agent-tasks/{id}/claim", """{ "agent": "a", "lease": "forever" }""");
        var unknown = await PostAsync(app, "/api/agent-tasks/no-such-task/claim", """{ "agent": "a" }""");
        var notClaimed = await PostAsync(app, $"/api/agent-tasks/{id}/complete", """{ "leaseToken": "guess" }""");
        var noToken = await PostAsync(app, $"/api/agent-tasks/{id}/complete", """{ "output": 1 }""");
        using var badStatus = await app.Client.GetAsync("/api/agent-tasks?status=lost");

        Assert.Equal(HttpStatusCode.BadRequest, noAgent.Status);
        Assert.Equal("'agent' is required: a name for the agent taking the task, shown to others and in the journal.", (string?)noAgent.Body["detail"]);
        Assert.Equal(HttpStatusCode.BadRequest, badLease.Status);
        Assert.Equal("'lease' is 'forever', which is not a duration from 1s to 24h (e.g. 5m).", (string?)badLease.Body["detail"]);
        Assert.Equal(HttpStatusCode.NotFound, unknown.Status);
        Assert.Equal(HttpStatusCode.Conflict, notClaimed.Status);
        Assert.Equal($"The lease token is not the current lease of agent task '{id}': it was never claimed with it. Nothing was changed; claim the task to work on it.", (string?)notClaimed.Body["detail"]);
        Assert.Equal(HttpStatusCode.BadRequest, noToken.Status);
        Assert.Equal(HttpStatusCode.BadRequest, badStatus.StatusCode);
        Assert.Equal("ready", (string?)(await app.GetAsync<JsonObject>($"/api/agent-tasks/{id}"))["status"]);
    }

    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task Mcp_NextTaskAndCompleteTask_AndFailTaskFailsTheNode(string provider)
    {
        await using var app = await TaskFlowApp.StartAsync(provider);
        await using var client = await McpClient.CreateAsync(new HttpClientTransport(
            new HttpClientTransportOptions { Endpoint = new Uri(app.Client.BaseAddress!, "/mcp/task-decomposition"), TransportMode = HttpTransportMode.StreamableHttp },
            app.Client));
        var completedInstance = await StartAsync(app);
        await app.SingleAsync("/api/agent-tasks?status=ready", "No ready agent task");

        var none = await client.CallToolAsync("next_task", new Dictionary<string, object?> { ["agent"] = "bot", ["capability"] = "deploy" });
        Assert.NotEqual(true, none.IsError);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, none.StructuredContent!.Value.GetProperty("task").ValueKind);

        var next = await client.CallToolAsync("next_task", new Dictionary<string, object?> { ["agent"] = "bot", ["capability"] = "code-review" });
        Assert.NotEqual(true, next.IsError);
        var taskId = next.StructuredContent!.Value.GetProperty("task").GetProperty("id").GetString()!;
        var lease = next.StructuredContent!.Value.GetProperty("leaseToken").GetString()!;
        Assert.Equal("s-1", next.StructuredContent!.Value.GetProperty("task").GetProperty("correlation").GetProperty("session").GetString());

        var stale = await client.CallToolAsync("complete_task", new Dictionary<string, object?> { ["task_id"] = taskId, ["lease_token"] = "stale", ["output"] = new { verdict = "x" } });
        Assert.True(stale.IsError);
        var beat = await client.CallToolAsync("heartbeat_task", new Dictionary<string, object?> { ["task_id"] = taskId, ["lease_token"] = lease });
        Assert.NotEqual(true, beat.IsError);
        var done = await client.CallToolAsync("complete_task", new Dictionary<string, object?> { ["task_id"] = taskId, ["lease_token"] = lease, ["output"] = new { verdict = "approve" } });
        Assert.NotEqual(true, done.IsError);
        var completed = await app.FinishedAsync(completedInstance);
        Assert.Equal("approve", (string?)completed["nodes"]!.AsArray().Single(n => (string?)n!["nodeId"] == "report")!["output"]);
        var late = await client.CallToolAsync("fail_task", new Dictionary<string, object?> { ["task_id"] = taskId, ["lease_token"] = lease, ["error"] = "too late" });
        Assert.True(late.IsError);
        Assert.Equal($"Agent task '{taskId}' is already completed; a finished task cannot be claimed, renewed, completed or failed again.", ((ModelContextProtocol.Protocol.TextContentBlock)late.Content[0]).Text);

        using var run = await app.Client.PostAsync("/api/definitions/review/run", TaskFlowApp.JsonBody("""{ "input": { "pr": "43", "lease": "5m" } }"""));
        var failedInstance = (string)(await TaskFlowApp.ReadAsync(run))["id"]!;
        await app.SingleAsync("/api/agent-tasks?status=ready", "No second ready agent task");
        var second = await client.CallToolAsync("next_task", new Dictionary<string, object?> { ["agent"] = "bot" });
        var fail = await client.CallToolAsync("fail_task", new Dictionary<string, object?>
        {
            ["task_id"] = second.StructuredContent!.Value.GetProperty("task").GetProperty("id").GetString(),
            ["lease_token"] = second.StructuredContent!.Value.GetProperty("leaseToken").GetString(),
            ["error"] = "the branch does not build",
        });
        Assert.NotEqual(true, fail.IsError);
        var failed = await app.FinishedAsync(failedInstance);
        Assert.Equal("Failed", (string?)failed["status"]);
        Assert.Contains("the branch does not build", (string?)failed["nodes"]!.AsArray().Single(n => (string?)n!["nodeId"] == "review")!["error"]);
    }

    [Fact]
    public async Task TwoServersOnOneDatabase_AgentsRacingForTasks_ClaimEachTaskExactlyOnce()
    {
        const int Tasks = 12;
        const int AgentsPerServer = 3;
        await using var first = await TaskFlowApp.StartAsync(TaskFlowApp.Postgres);
        await using var second = await TaskFlowApp.StartAsync(TaskFlowApp.Postgres, new Dictionary<string, string?> { ["TaskFlow:Engine:PostgresConnectionString"] = first.Connection });
        await first.SaveAsync(Definition);
        var instances = new List<string>();
        for (var i = 0; i < Tasks; i++)
        {
            using var run = await (i % 2 == 0 ? first : second).Client.PostAsync("/api/definitions/review/run", TaskFlowApp.JsonBody($$"""{ "input": { "pr": "{{i}}", "lease": "5m" } }"""));
            instances.Add((string)(await TaskFlowApp.ReadAsync(run))["id"]!);
        }

        for (var i = 0; i < 400 && (await first.GetAsync<JsonArray>("/api/agent-tasks?status=ready")).Count < Tasks; i++)
        {
            await Task.Delay(25);
        }

        Assert.Equal(Tasks, (await first.GetAsync<JsonArray>("/api/agent-tasks?status=ready")).Count);

        // Six agents, three on each server, each taking tasks with next_task until none is left.
        var claims = new System.Collections.Concurrent.ConcurrentBag<(string Agent, string Task)>();
        async Task AgentAsync(TaskFlowApp app, string agent)
        {
            await using var client = await McpClient.CreateAsync(new HttpClientTransport(
                new HttpClientTransportOptions { Endpoint = new Uri(app.Client.BaseAddress!, "/mcp/task-decomposition"), TransportMode = HttpTransportMode.StreamableHttp },
                app.Client));
            while (true)
            {
                var next = await client.CallToolAsync("next_task", new Dictionary<string, object?> { ["agent"] = agent, ["capability"] = "code-review" });
                Assert.NotEqual(true, next.IsError);
                var task = next.StructuredContent!.Value.GetProperty("task");
                if (task.ValueKind == System.Text.Json.JsonValueKind.Null)
                {
                    return;
                }

                var id = task.GetProperty("id").GetString()!;
                claims.Add((agent, id));
                var done = await client.CallToolAsync("complete_task", new Dictionary<string, object?>
                {
                    ["task_id"] = id,
                    ["lease_token"] = next.StructuredContent!.Value.GetProperty("leaseToken").GetString(),
                    ["output"] = new { verdict = $"by {agent}" },
                });
                Assert.True(done.IsError != true, $"{agent} could not complete {id}: {((ModelContextProtocol.Protocol.TextContentBlock)done.Content[0]).Text}");
            }
        }

        await Task.WhenAll(Enumerable.Range(0, AgentsPerServer * 2).Select(i => AgentAsync(i % 2 == 0 ? first : second, $"agent-{i}")));

        Assert.Equal(Tasks, claims.Count);
        Assert.Equal(Tasks, claims.Select(c => c.Task).Distinct().Count());
        foreach (var instance in instances)
        {
            var view = await first.FinishedAsync(instance);
            Assert.Equal("Succeeded", (string?)view["status"]);
            var verdict = (string?)view["nodes"]!.AsArray().Single(n => (string?)n!["nodeId"] == "report")!["output"];
            Assert.Contains(claims, c => verdict == $"by {c.Agent}");
        }
    }
}
