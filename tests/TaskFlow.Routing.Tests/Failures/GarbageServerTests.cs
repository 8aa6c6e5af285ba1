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
        var garbledServer = router.Servers.Single(s => s.Name == "garbled");
        var transitions = new System.Collections.Concurrent.ConcurrentQueue<(CircuitState From, CircuitState To)>();
        garbledServer.Breaker.StateChanged += (from, to) => transitions.Enqueue((from, to));
        for (var i = 1; i <= 5; i++)
        {
            var error = await Assert.ThrowsAsync<McpRoutingException>(() => router.CallToolAsync(call, guard.Token));

            // The garbage ends the connection with the call on it, and mangle is not marked safe to
            // repeat: it is not sent again, anywhere.
            Assert.Equal(
                "Tool 'mangle' lost its connection mid-call and was not retried, because 'mangle' is not marked idempotent (IdempotentTools, or idempotentHint/readOnlyHint in its listing): garbled: connection lost: answered with a message that is not valid MCP (at $.content).",
                error.Message);
            Assert.Equal(i, router.GetStatus().Single(s => s.Name == "garbled").ConsecutiveFailures);
            Assert.Equal(i < 5, transitions.IsEmpty);
        }

        // The fifth opened the circuit. (The unusable connection is replaced at once, which may
        // then let probes through: the server is up, if not well.)
        Assert.Equal((CircuitState.Closed, CircuitState.Open), transitions.First());

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
