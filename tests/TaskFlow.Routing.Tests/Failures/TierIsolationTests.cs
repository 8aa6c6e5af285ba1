using System.Text.Json.Nodes;
using TaskFlow.Routing.Tests.Router;
using TaskFlow.Testing;

namespace TaskFlow.Routing.Tests.Failures;

/// <summary>
/// A slow tier-4 server saturated by tier-4 calls while tier-1 calls go to a fast server, both
/// real everything servers (the slow one runs its trigger-long-running-operation tool).
/// </summary>
public sealed class TierIsolationTests : RouterFailureTest
{
    private const int SlowCalls = 4;
    private const int FastCalls = 10;

    /// <remarks>
    /// Capacities are kept tiny so that the tier-4 calls overflow every gate:
    /// <code>
    ///   global gate: 2 + 2 = 4 slots, tiers 1-4 may hold 4, tier 4 alone 2
    ///     tier-4 x4 ──► 2 admitted, 2 queued ──► slow (2 slots, tier 4 may hold 1): 1 running, 1 queued
    ///     tier-1 x10 ─► admitted beside them ───► fast (2 slots): served at once
    /// </code>
    /// A gate that admitted first come, first served would let the four tier-4 calls take all
    /// four slots, and the tier-1 calls would wait for the slow server to finish one. Each
    /// tier-4 call runs for 30 s, far longer than the tier-1 calls may take, and is cancelled
    /// once they are done.
    /// </remarks>
    [Fact]
    public async Task CallToolAsync_Tier4CallsSaturateASlowServer_Tier1CallsToAnotherServerCompleteWhileTheyArePending()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var router = Fixture.Create(new()
        {
            ["slow"] = Small(RouterFixture.Stdio(McpTestServers.Everything(), tier: 4)),
            ["fast"] = Small(RouterFixture.Stdio(McpTestServers.Everything(), tier: 1)),
        });
        await router.ListToolsAsync(guard.Token);
        var slow = router.Servers.Single(s => s.Name == "slow");

        using var background = CancellationTokenSource.CreateLinkedTokenSource(guard.Token);
        var slowCalls = Enumerable.Range(0, SlowCalls)
            .Select(_ => router.CallToolAsync(
                new McpToolCall("trigger-long-running-operation", new JsonObject { ["duration"] = 30, ["steps"] = 1 }, Tier: 4, Server: "slow", Timeout: TimeSpan.FromSeconds(60)),
                background.Token))
            .ToList();
        while (!(slow.Gate.InUseByTier(4) == 1 && slow.Gate.Waiting >= 1))
        {
            await Task.Delay(20, guard.Token);
        }

        using var urgent = CancellationTokenSource.CreateLinkedTokenSource(guard.Token);
        urgent.CancelAfter(TimeSpan.FromSeconds(15));
        for (var i = 0; i < FastCalls; i++)
        {
            McpCallOutcome outcome;
            try
            {
                outcome = await router.CallToolAsync(new McpToolCall("echo", new JsonObject { ["message"] = $"urgent {i}" }, Tier: 1), urgent.Token);
            }
            catch (OperationCanceledException) when (urgent.IsCancellationRequested && !guard.IsCancellationRequested)
            {
                Assert.Fail($"tier-1 call {i} was still waiting after 15 s, behind the tier-4 calls");
                throw;
            }

            Assert.Equal(("fast", $"Echo: urgent {i}"), (outcome.Server, NodeFixtures.Text(outcome.Result)));
        }

        Assert.All(slowCalls, c => Assert.False(c.IsCompleted, "a tier-4 call ended before the tier-1 calls were done"));
        Assert.Equal((1, 1), (slow.Gate.InUseByTier(4), slow.Gate.Waiting));

        await background.CancelAsync();
        foreach (var call in slowCalls)
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        }
    }

    private static UpstreamServerOptions Small(UpstreamServerOptions options)
    {
        options.MaxConnections = 1;
        options.CallsPerConnection = 2;
        return options;
    }
}
