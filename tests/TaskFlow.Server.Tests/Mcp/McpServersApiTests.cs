using System.Net;
using System.Text.Json.Nodes;
using TaskFlow.Server.Tests.Infrastructure;
using TaskFlow.Testing;

namespace TaskFlow.Server.Tests.Mcp;

/// <summary>The server with an MCP fleet configured: mcp.call through the API, the fleet's status, rollouts and metrics.</summary>
public sealed class McpServersApiTests
{
    private static Dictionary<string, string?> Fleet()
    {
        var launch = McpTestServers.Everything();
        var settings = new Dictionary<string, string?>
        {
            ["TaskFlow:Mcp:Servers:everything:Command"] = launch.Command,
            ["TaskFlow:Mcp:Servers:everything:WorkingDirectory"] = launch.WorkingDirectory,
            ["TaskFlow:Mcp:Servers:everything:Tier"] = "2",
            ["TaskFlow:Mcp:Servers:canary:Command"] = launch.Command,
            ["TaskFlow:Mcp:Servers:canary:WorkingDirectory"] = launch.WorkingDirectory,
            ["TaskFlow:Mcp:Rules"] = """
                routing_priorities:
                  - pattern: "echo"
                    servers: ["everything"]
                    strategy: "failover"
                    rollout: { server: "canary", percent: 0 }
                """,
        };
        for (var i = 0; i < launch.Arguments.Count; i++)
        {
            settings[$"TaskFlow:Mcp:Servers:everything:Arguments:{i}"] = launch.Arguments[i];
            settings[$"TaskFlow:Mcp:Servers:canary:Arguments:{i}"] = launch.Arguments[i];
        }

        return settings;
    }

    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task McpCall_ThroughTheApi_ShowsInStatusAndMetrics_RolloutMovesCalls(string provider)
    {
        await using var app = await TaskFlowApp.StartAsync(provider, Fleet());
        await app.SaveAsync("""
            { "id": "echo", "nodes": [ { "id": "call", "type": "mcp.call", "inputs": { "tool": "echo", "arguments": { "message": "{{ input.text }}" } } } ],
              "edges": [], "output": "{{ nodes.call.output.server }}: {{ nodes.call.output.text }}" }
            """);

        Assert.Equal("everything: Echo: one", await RunAsync(app, "one"));
        using (var rollout = await app.Client.PutAsync("/api/mcp/rollouts", TaskFlowApp.JsonBody("""{ "pattern": "echo", "percent": 100 }""")))
        {
            Assert.Equal(HttpStatusCode.NoContent, rollout.StatusCode);
        }

        Assert.Equal("canary: Echo: two", await RunAsync(app, "two"));
        using (var rollback = await app.Client.PutAsync("/api/mcp/rollouts", TaskFlowApp.JsonBody("""{ "pattern": "echo", "percent": 0 }""")))
        {
            Assert.Equal(HttpStatusCode.NoContent, rollback.StatusCode);
        }

        Assert.Equal("everything: Echo: three", await RunAsync(app, "three"));
        using (var unknown = await app.Client.PutAsync("/api/mcp/rollouts", TaskFlowApp.JsonBody("""{ "pattern": "nope.*", "percent": 5 }""")))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        }

        var servers = await app.GetAsync<JsonArray>("/api/mcp/servers");
        var everything = servers.Single(s => s!["name"]!.GetValue<string>() == "everything")!;
        Assert.Equal(("Ready", "Closed", 2, 75), (everything["state"]!.GetValue<string>(), everything["breaker"]!.GetValue<string>(), everything["tier"]!.GetValue<int>(), everything["priority"]!.GetValue<int>()));
        Assert.Equal(1, everything["connections"]!.GetValue<int>());
        Assert.Contains(everything["tools"]!.AsArray(), t => t!.GetValue<string>() == "echo");

        var metrics = await app.Client.GetStringAsync("/metrics");
        foreach (var name in new[] { "mcp_server_latency_count{", "mcp_message_rate{server=\"everything\"} 2", "mcp_message_rate{server=\"canary\"} 1", "mcp_connection_count{", "mcp_breaker_state{" })
        {
            Assert.True(metrics.Split('\n').Any(l => l.StartsWith(name, StringComparison.Ordinal)), $"{name} is missing from /metrics:\n{metrics}");
        }

        Assert.Contains("server=\"everything\"", metrics, StringComparison.Ordinal);
    }

    private static async Task<string> RunAsync(TaskFlowApp app, string text)
    {
        using var run = await app.Client.PostAsync("/api/definitions/echo/run?wait=true", TaskFlowApp.JsonBody($$"""{ "input": { "text": "{{text}}" } }"""));
        var body = await TaskFlowApp.ReadAsync(run);
        Assert.True(run.StatusCode == HttpStatusCode.OK && body["status"]!.GetValue<string>() == "Succeeded", body.ToJsonString());
        return body["output"]!.GetValue<string>();
    }
}
