using System.Text.Json.Nodes;
using TaskFlow.Routing.Tests.Failures;
using TaskFlow.Routing.Tests.Router;
using TaskFlow.Testing;

namespace TaskFlow.Routing.Tests.Strategies;

/// <summary>An isolated rule: its calls go to a pool (processes) of their own, behind a limit of their own.</summary>
public sealed class IsolatedStrategyTests : RouterFailureTest
{
    [Fact]
    public async Task CallToolAsync_ThroughAnIsolatedRule_UsesItsOwnProcess_OtherCallsTheShared()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var router = Fixture.Create(
            new() { ["everything"] = RouterFixture.Stdio(McpTestServers.Everything()) },
            """
            routing_priorities:
              - pattern: "sandbox.*"
                servers: ["everything"]
                strategy: "isolated"
                max_concurrency: 2
            """);

        var isolated = await router.CallToolAsync(new McpToolCall("sandbox.echo", new JsonObject { ["message"] = "isolated" }), guard.Token);
        var shared = await router.CallToolAsync(new McpToolCall("echo", new JsonObject { ["message"] = "shared" }, Server: "everything"), guard.Token);

        Assert.Equal(("everything", "echo", "Echo: isolated"), (isolated.Server, isolated.Tool, NodeFixtures.Text(isolated.Result)));
        Assert.Equal("Echo: shared", NodeFixtures.Text(shared.Result));
        Assert.Equal(2, Fixture.ProcessIds("everything").Count);
        var status = router.GetStatus().Where(s => s.Name == "everything").ToList();
        Assert.Equal([null, "sandbox.*"], status.Select(s => s.IsolatedFor));
        Assert.All(status, s => Assert.Equal(1, s.Connections));
    }
}
