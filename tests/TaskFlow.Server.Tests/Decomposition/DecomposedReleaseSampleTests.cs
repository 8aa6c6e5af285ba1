using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol.Client;
using TaskFlow.Server.Tests.Infrastructure;
using TaskFlow.Testing;

namespace TaskFlow.Server.Tests.Decomposition;

/// <summary>
/// workflows/decomposed/release.json end to end: its subtasks run a script in a sandboxed process
/// (bubblewrap), call the knowledge-graph server's tool through the router, and wait for an agent
/// task that this test, as the agent, takes and completes through the task-decomposition MCP tools.
/// </summary>
public sealed class DecomposedReleaseSampleTests
{
    [Fact]
    public async Task Sample_RunThroughMcp_ExecToolAndAgentSubtasks_AggregateReportsAllThree()
    {
        var data = TestDatabases.CreateFolder("taskflow-decomposed-release-");
        var graph = Path.Combine(data.Folder, "graph.jsonl");
        var settings = new Dictionary<string, string?>
        {
            ["TaskFlow:Workspaces:DefaultIsolation"] = "Process",
            ["TaskFlow:Workspaces:WarmPoolSize"] = "0",
            ["TaskFlow:Decomposition:SubtaskActivity"] = "agent",
        };
        McpTestServers.Configure(settings, "memory", McpTestServers.Memory(graph));
        try
        {
            await using var app = await TaskFlowApp.StartAsync(TaskFlowApp.Sqlite, settings);
            await using var client = await McpClient.CreateAsync(new HttpClientTransport(
                new HttpClientTransportOptions { Endpoint = new Uri(app.Client.BaseAddress!, "/mcp/task-decomposition"), TransportMode = HttpTransportMode.StreamableHttp },
                app.Client));
            var request = JsonNode.Parse(File.ReadAllText(Path.Combine(Samples.Folder, "decomposed", "release.json")))!.AsObject();
            var arguments = request.ToDictionary(p => p.Key, p => (object?)JsonSerializer.SerializeToElement(p.Value));

            // A tool that no server of the fleet lists is refused before anything is stored.
            var typo = JsonNode.Parse(File.ReadAllText(Path.Combine(Samples.Folder, "decomposed", "release.json")))!.AsObject();
            typo["task"]!["subtasks"]![1]!["tool"] = "create_entitys";
            var refused = await client.CallToolAsync("run", typo.ToDictionary(p => p.Key, p => (object?)JsonSerializer.SerializeToElement(p.Value)));
            Assert.True(refused.IsError);
            Assert.Contains("Subtask 'record' calls tool 'create_entitys', which no server of the MCP fleet lists", ((ModelContextProtocol.Protocol.TextContentBlock)refused.Content[0]).Text);
            using (var stored = await app.Client.GetAsync("/api/definitions/decomposed-release"))
            {
                Assert.Equal(System.Net.HttpStatusCode.NotFound, stored.StatusCode);
            }

            var run = await client.CallToolAsync("run", arguments);
            Assert.NotEqual(true, run.IsError);
            var instance = run.StructuredContent!.Value.GetProperty("instance_id").GetString()!;

            // The review waits for the tests, then for an agent.
            await app.SingleAsync("/api/agent-tasks?status=ready&capability=release-review", "No review task for an agent");
            var next = await client.CallToolAsync("next_task", new Dictionary<string, object?> { ["agent"] = "release-reviewer", ["capability"] = "release-review" });
            var task = next.StructuredContent!.Value.GetProperty("task");
            Assert.Equal(("decomposed-release", "review"), (task.GetProperty("correlation").GetProperty("task").GetString(), task.GetProperty("correlation").GetProperty("subtask").GetString()));
            var done = await client.CallToolAsync("complete_task", new Dictionary<string, object?>
            {
                ["task_id"] = task.GetProperty("id").GetString(),
                ["lease_token"] = next.StructuredContent!.Value.GetProperty("leaseToken").GetString(),
                ["output"] = new { approved = true, notes = "The notes match the changes." },
            });
            Assert.NotEqual(true, done.IsError);

            var view = await app.FinishedAsync(instance);
            Assert.Equal("Succeeded", (string?)view["status"]);
            var results = view["output"]!["results"]!.AsArray().ToDictionary(r => (string)r!["id"]!, r => r!);
            Assert.Equal(["record", "review", "test"], results.Keys.Order(StringComparer.Ordinal));
            Assert.All(results.Values, r => Assert.Equal("succeeded", (string?)r["status"]));
            Assert.Contains("tests passed: 2", (string?)results["test"]["output"]!["stdout"]);
            Assert.Equal("process", (string?)results["test"]["output"]!["isolation"]);
            Assert.Contains("release-2.0", results["record"]["output"]!.ToJsonString());
            Assert.True((bool)results["review"]["output"]!["approved"]!);
            Assert.Contains("release-2.0", File.ReadAllText(graph));
        }
        finally
        {
            await data.Delete();
        }
    }
}
