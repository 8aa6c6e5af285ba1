using System.Text.Json.Nodes;
using TaskFlow.Routing.Bulkheads;
using TaskFlow.Routing.CircuitBreaking;
using TaskFlow.Routing.Strategies;
using TaskFlow.Routing.Tests.Router;
using TaskFlow.Testing;

namespace TaskFlow.Routing.Tests.Failures;

/// <summary>
/// A server that answers a tools/call with a line that is not JSON and a JSON-RPC response whose
/// result is not a tool result. Real servers do not do this on demand, so this is a fixture
/// (Fixtures/garbage-server.js); the healthy server beside it is the real everything server.
/// </summary>
public sealed class GarbageServerTests : RouterFailureTest
{
    [Fact]
    public async Task CallToolAsync_ServerAnswersGarbage_FailsClearlyCountsAgainstItAndOtherServersStillServe()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var router = Fixture.Create(
            new()
            {
                ["garbled"] = RouterFixture.Stdio(NodeFixtures.Launch("garbage-server.js")),
                ["everything"] = RouterFixture.Stdio(McpTestServers.Everything()),
            });

        // A generous timeout: the garbage must fail the call, not leave it waiting for it.
        var call = new McpToolCall("mangle", Timeout: TimeSpan.FromSeconds(15));
        for (var i = 1; i <= 5; i++)
        {
            var error = await Assert.ThrowsAsync<McpRoutingException>(() => router.CallToolAsync(call, guard.Token));

            Assert.Equal("Tool 'mangle' failed on every server tried: garbled: answered with a message that is not valid MCP (at $.content).", error.Message);
            var garbled = router.GetStatus().Single(s => s.Name == "garbled");
            Assert.Equal((i, i < 5 ? CircuitState.Closed : CircuitState.Open), (garbled.ConsecutiveFailures, garbled.Breaker));
        }

        var echoed = await router.CallToolAsync(new McpToolCall("echo", new JsonObject { ["message"] = "still here" }), guard.Token);

        Assert.Equal(("everything", "Echo: still here"), (echoed.Server, NodeFixtures.Text(echoed.Result)));
        Assert.Equal(CircuitState.Closed, router.GetStatus().Single(s => s.Name == "everything").Breaker);
    }

    [Fact]
    public async Task CallToolAsync_GarbageOnAConnectionWithACallInFlight_NextCallsGoToANewProcess_AndTheCallInFlightFinishes()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var router = Fixture.Create(new() { ["garbled"] = RouterFixture.Stdio(NodeFixtures.Launch("garbage-server.js")) });
        var first = await router.CallToolAsync(new McpToolCall("pid"), guard.Token);
        var firstProcess = NodeFixtures.Text(first.Result);

        // A slow call holds the connection while garbage on it makes the router give the session up.
        var slow = router.CallToolAsync(new McpToolCall("slow_pid"), guard.Token);
        await WaitUntilAsync(() => router.GetStatus().Single().CallsInFlight == 1, guard.Token);
        await Assert.ThrowsAsync<McpRoutingException>(() => router.CallToolAsync(new McpToolCall("mangle"), guard.Token));
        Assert.False(slow.IsCompleted, "the slow call finished before the garbage: the test proves nothing");

        var next = await router.CallToolAsync(new McpToolCall("pid"), guard.Token);

        Assert.NotEqual(firstProcess, NodeFixtures.Text(next.Result));
        Assert.Equal(firstProcess, NodeFixtures.Text((await slow).Result));
    }

    private static async Task WaitUntilAsync(Func<bool> condition, CancellationToken cancellationToken)
    {
        while (!condition())
        {
            await Task.Delay(20, cancellationToken);
        }
    }
}
