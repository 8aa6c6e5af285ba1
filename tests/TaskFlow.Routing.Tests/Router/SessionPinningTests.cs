using System.Text.Json.Nodes;
using TaskFlow.Routing.Tests.Failures;

namespace TaskFlow.Routing.Tests.Router;

/// <summary>
/// Downstream sessions on a server configured <c>Session: Pinned</c> that keeps state per session
/// (Fixtures/session-state-server.js, which takes the client's revision, 2025-11-25 here: one
/// process is one session): each gets an upstream session of its own.
/// </summary>
public sealed class SessionPinningTests : RouterFailureTest
{
    [Fact]
    public async Task CallToolAsync_SharedByDefault_TwoSessionsUseOneUpstreamProcess()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var router = Fixture.Create(new() { ["stateful"] = RouterFixture.Stdio(NodeFixtures.Launch("session-state-server.js")) });

        var (pidA, _) = Recall(await Call(router, "recall", "a", null, guard.Token));
        var (pidB, _) = Recall(await Call(router, "recall", "b", null, guard.Token));
        var (pidShared, _) = Recall(await Call(router, "recall", null, null, guard.Token));

        Assert.Single(new[] { pidA, pidB, pidShared }.Distinct());
        Assert.Single(Fixture.ProcessIds("stateful"));
        var status = router.GetStatus().Single();
        Assert.Equal((0, 1), (status.PinnedSessions, status.Connections));
    }

    [Fact]
    public async Task CallToolAsync_TwoSessions_EachSeesOnlyItsOwnUpstreamState()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var router = StatefulRouter();

        await Call(router, "remember", "a", "alpha", guard.Token);
        await Call(router, "remember", "b", "bravo", guard.Token);
        await Call(router, "remember", "a", "again", guard.Token);
        var (pidA, memoryA) = Recall(await Call(router, "recall", "a", null, guard.Token));
        var (pidB, memoryB) = Recall(await Call(router, "recall", "b", null, guard.Token));
        var (pidShared, memoryShared) = Recall(await Call(router, "recall", null, null, guard.Token));

        Assert.Equal(("alpha,again", "bravo", ""), (memoryA, memoryB, memoryShared));
        Assert.Equal(3, new[] { pidA, pidB, pidShared }.Distinct().Count());
        var status = router.GetStatus().Single();
        Assert.Equal((2, 3, "2025-11-25"), (status.PinnedSessions, status.Connections, status.ProtocolVersion));
    }

    [Fact]
    public async Task EndSessionAsync_ClosesOnlyThatSessionsUpstream()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var router = StatefulRouter();
        var (pidA, _) = Recall(await Call(router, "recall", "a", null, guard.Token));
        var (pidB, _) = Recall(await Call(router, "recall", "b", null, guard.Token));

        await router.EndSessionAsync("a");

        Assert.True(await WaitAsync(() => !Fixture.ProcessIds("stateful").Contains(pidA), guard.Token), "session a's server process outlived its session");
        Assert.Contains(pidB, Fixture.ProcessIds("stateful"));
        Assert.Equal(1, router.GetStatus().Single().PinnedSessions);

        // The ended session's key may come back: it starts afresh.
        var (pidAgain, memory) = Recall(await Call(router, "recall", "a", null, guard.Token));
        Assert.NotEqual(pidA, pidAgain);
        Assert.Equal("", memory);
    }

    [Fact]
    public async Task CallToolAsync_ServerAtItsMaximum_ClosesAnIdlePooledConnection_ThenRefusesWithTheReason()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var router = StatefulRouter(maxConnections: 2);

        // Discovery opens a pooled connection; a takes the second slot, b the pooled one's.
        await Call(router, "recall", "a", null, guard.Token);
        await Call(router, "recall", "b", null, guard.Token);
        var refused = await Assert.ThrowsAsync<McpRoutingException>(() => Call(router, "recall", "c", null, guard.Token));

        Assert.Contains("Server 'stateful' has all 2 connections in use, so downstream session 'c' cannot get an upstream session of its own", refused.Message, StringComparison.Ordinal);
        var status = router.GetStatus().Single();
        Assert.Equal((2, 2), (status.PinnedSessions, status.Connections));
    }

    [Fact]
    public async Task CallToolAsync_SessionsHoldEveryConnection_ACallWithoutSessionIsRefusedNotOverTheMaximum()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var router = StatefulRouter(maxConnections: 2);
        await Call(router, "recall", "a", null, guard.Token);
        await Call(router, "recall", "b", null, guard.Token);

        var refused = await Assert.ThrowsAsync<McpRoutingException>(() => Call(router, "recall", null, null, guard.Token));

        Assert.Contains("Server 'stateful' has all 2 connections held by downstream sessions of their own", refused.Message, StringComparison.Ordinal);
        Assert.Equal(2, router.GetStatus().Single().Connections);
        Assert.Equal(2, Fixture.ProcessIds("stateful").Count);

        // A session that ends gives its connection back.
        await router.EndSessionAsync("a");
        Recall(await Call(router, "recall", null, null, guard.Token));
        Assert.Equal(2, router.GetStatus().Single().Connections);
    }

    [Fact]
    public async Task CallToolAsync_SessionsUpstreamCrashed_NextCallGetsAFreshSession()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var router = StatefulRouter();
        await Call(router, "remember", "a", "lost", guard.Token);
        var (pid, _) = Recall(await Call(router, "recall", "a", null, guard.Token));

        System.Diagnostics.Process.GetProcessById(pid).Kill();
        Assert.True(await WaitAsync(() => !Fixture.ProcessIds("stateful").Contains(pid), guard.Token), "the killed process is still running");

        // The crash may be seen by the next call (which fails) or before it (which reconnects).
        string? recalled = null;
        for (var attempt = 0; attempt < 3 && recalled is null; attempt++)
        {
            try
            {
                recalled = await Call(router, "recall", "a", null, guard.Token);
            }
            catch (McpRoutingException)
            {
            }
        }

        Assert.NotNull(recalled);
        var (newPid, memory) = Recall(recalled);
        Assert.NotEqual(pid, newPid);
        Assert.Equal("", memory);
        Assert.Equal(1, router.GetStatus().Single().PinnedSessions);
    }

    /// <summary>A router in front of one server, "stateful", that keeps state per session.</summary>
    private McpRouter StatefulRouter(int? maxConnections = null)
    {
        var options = RouterFixture.Stdio(NodeFixtures.Launch("session-state-server.js"));
        options.Session = UpstreamSessionMode.Pinned;
        if (maxConnections is { } max)
        {
            options.MaxConnections = max;
        }

        return Fixture.Create(new() { ["stateful"] = options });
    }

    private static async Task<string> Call(McpRouter router, string tool, string? session, string? text, CancellationToken cancellationToken)
    {
        var arguments = text is null ? null : new JsonObject { ["text"] = text };
        var outcome = await router.CallToolAsync(new McpToolCall(tool, arguments, Session: session), cancellationToken);
        return NodeFixtures.Text(outcome.Result);
    }

    private static (int Pid, string Memory) Recall(string answer)
    {
        var colon = answer.IndexOf(':', StringComparison.Ordinal);
        return (int.Parse(answer[..colon], System.Globalization.CultureInfo.InvariantCulture), answer[(colon + 1)..]);
    }

    private static async Task<bool> WaitAsync(Func<bool> condition, CancellationToken cancellationToken)
    {
        for (var i = 0; i < 100; i++)
        {
            if (condition())
            {
                return true;
            }

            await Task.Delay(100, cancellationToken);
        }

        return condition();
    }
}
