using TaskFlow.Routing.Bulkheads;
using TaskFlow.Routing.CircuitBreaking;
using TaskFlow.Routing.Strategies;
using TaskFlow.Routing.Tests.Router;

namespace TaskFlow.Routing.Tests.Failures;

/// <summary>
/// A server that starts and lists its tools, then never answers a tools/call. No real server
/// can be made to hang on demand, so this is a fixture (Fixtures/hanging-server.js).
/// </summary>
public sealed class HangingServerTests : RouterFailureTest
{
    [Fact]
    public async Task CallToolAsync_ServerNeverAnswers_TimesOutNamingTheTimeout_ThenTheOpenCircuitFailsFast()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var router = Fixture.Create(new() { ["stuck"] = RouterFixture.Stdio(NodeFixtures.Launch("hanging-server.js")) });
        var call = new McpToolCall("wait_forever", Timeout: TimeSpan.FromMilliseconds(500));

        for (var i = 1; i <= 5; i++)
        {
            var timedOut = await Assert.ThrowsAsync<McpRoutingException>(() => router.CallToolAsync(call, guard.Token));

            Assert.Equal("Tool 'wait_forever' failed on every server tried: stuck: no answer within 0.5 s.", timedOut.Message);
            Assert.Equal(i < 5 ? CircuitState.Closed : CircuitState.Open, router.GetStatus().Single().Breaker);
        }

        // Open: refused before anything is sent, so it fails at once rather than after the timeout.
        var refused = await Assert.ThrowsAsync<McpRoutingException>(() => router.CallToolAsync(call with { Timeout = TimeSpan.FromMinutes(5) }, guard.Token));

        Assert.StartsWith("Tool 'wait_forever' failed on every server tried: stuck: circuit open, probes allowed in ", refused.Message);
        Assert.DoesNotContain("no answer", refused.Message);
        Assert.Equal(5, router.GetStatus().Single().ConsecutiveFailures);
    }
}
