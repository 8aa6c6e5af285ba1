using System.Net;
using System.Text.Json.Nodes;
using TaskFlow.Routing.Tests.Router;
using TaskFlow.Routing.Upstreams;
using TaskFlow.Testing;

namespace TaskFlow.Routing.Tests.Failures;

/// <summary>
/// One failed request on a Streamable HTTP upstream: the real everything server in its
/// streamableHttp mode, behind <see cref="FaultingProxy"/>, which fails one chosen POST.
/// </summary>
public sealed class HttpRequestFailureTests
{
    private const string Server = "remote";

    /// <remarks>
    /// <code>
    ///   slow call x4 ──────────────────────────────► the server ──► answered after 2 s
    ///   echo "fail-me" ──► proxy: 502 (never reaches the server)
    ///   echo "after"   ──► the same session ───────► the server ──► answered
    /// </code>
    /// Each call is a POST of its own, so one that fails says nothing about the session.
    /// </remarks>
    [Fact]
    public async Task CallToolAsync_OnePostFailsWith502_ThatCallFails_OthersOnTheSessionSucceed_AndTheSessionIsKept()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await using var setup = await Setup.StartAsync(guard.Token);
        var (proxy, router, server) = (setup.Proxy, setup.Router, setup.Server);
        await router.ListToolsAsync(guard.Token);

        var slow = Enumerable.Range(0, 4)
            .Select(_ => router.CallToolAsync(new McpToolCall("trigger-long-running-operation", new JsonObject { ["duration"] = 2, ["steps"] = 1 }, Server: Server), guard.Token))
            .ToList();
        while (proxy.CallsForwarded < slow.Count)
        {
            await Task.Delay(20, guard.Token);
        }

        proxy.FailNext("fail-me", HttpStatusCode.BadGateway);
        var failed = await Assert.ThrowsAsync<McpRoutingException>(() => Echo(router, "fail-me", guard.Token));

        Assert.Contains("502", failed.Message, StringComparison.Ordinal);
        Assert.All(slow, call => Assert.False(call.IsCompleted, "a slow call ended before the failure; the test needs them in flight"));
        foreach (var call in slow)
        {
            Assert.StartsWith("Long running operation completed", NodeFixtures.Text((await call).Result), StringComparison.Ordinal);
        }

        await Echo(router, "after", guard.Token);
        Assert.Equal(1, proxy.Initializations);
        Assert.Single(proxy.CallSessions.Distinct());
        Assert.Equal(6, proxy.CallSessions.Count);
        Assert.Equal(1, server.ConnectionCount);
    }

    /// <remarks>
    /// A 404 to a request that carries a session id means the server no longer knows the session
    /// (it restarted, or expired it): that connection is done, and a new one is opened. echo is
    /// read-only, so the call the 404 cut off is sent once more, on the new session.
    /// </remarks>
    [Fact]
    public async Task CallToolAsync_PostAnsweredWith404_TheIdempotentCallIsRetriedOnANewSession()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await using var setup = await Setup.StartAsync(guard.Token);
        var (proxy, router, server) = (setup.Proxy, setup.Router, setup.Server);
        await Echo(router, "before", guard.Token);

        proxy.FailNext("expire-me", HttpStatusCode.NotFound);
        await Echo(router, "expire-me", guard.Token);
        await Echo(router, "after", guard.Token);

        Assert.Equal(2, proxy.Initializations);
        var sessions = proxy.CallSessions;
        Assert.Equal(4, sessions.Count);
        Assert.Equal(sessions[0], sessions[1]);
        Assert.NotEqual(sessions[1], sessions[2]);
        Assert.Equal(sessions[2], sessions[3]);
        Assert.Equal(1, server.ConnectionCount);
    }

    /// <remarks>
    /// A health check whose request fails marks the server failing, but keeps its session; the
    /// next call that gets an answer shows it up again, without waiting for the next check.
    /// </remarks>
    [Fact]
    public async Task CheckHealthAsync_PingAnsweredWith502_ServerFailingUntilACallSucceeds_SessionKept()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await using var setup = await Setup.StartAsync(guard.Token);
        var (proxy, router, server) = (setup.Proxy, setup.Router, setup.Server);
        await Echo(router, "before", guard.Token);

        proxy.FailNext("\"ping\"", HttpStatusCode.BadGateway);
        await router.CheckHealthAsync(includeIdle: false, guard.Token);
        var failing = router.GetStatus().Single();
        Assert.Equal(UpstreamState.Failing, failing.State);
        Assert.Contains("502", failing.LastError, StringComparison.Ordinal);

        await Echo(router, "after", guard.Token);

        Assert.Equal(UpstreamState.Ready, router.GetStatus().Single().State);
        Assert.Equal(1, proxy.Initializations);
        Assert.Equal(1, server.ConnectionCount);
    }

    /// <summary>The everything server over HTTP, the proxy in front of it, and a router with the proxy as its one server.</summary>
    private sealed class Setup : IAsyncDisposable
    {
        private readonly IAsyncDisposable _upstream;
        private readonly RouterFixture _fixture;

        private Setup(IAsyncDisposable upstream, FaultingProxy proxy, RouterFixture fixture)
        {
            (_upstream, Proxy, _fixture) = (upstream, proxy, fixture);
            Router = fixture.Create(new()
            {
                [HttpRequestFailureTests.Server] = new()
                {
                    Transport = "http",
                    Url = proxy.Endpoint.ToString(),

                    // The rate limiter is not under test.
                    RateLimit = 100_000,
                },
            });
            Server = Router.Servers.Single();
        }

        public FaultingProxy Proxy { get; }

        public McpRouter Router { get; }

        public UpstreamServer Server { get; }

        public static async Task<Setup> StartAsync(CancellationToken cancellationToken)
        {
            var upstream = await McpTestServers.StartEverythingHttpAsync(cancellationToken);
            var proxy = await FaultingProxy.StartAsync(upstream.Endpoint);
            return new Setup(upstream, proxy, new RouterFixture());
        }

        public async ValueTask DisposeAsync()
        {
            await _fixture.DisposeAsync();
            await Proxy.DisposeAsync();
            await _upstream.DisposeAsync();
        }
    }

    private static async Task Echo(McpRouter router, string message, CancellationToken cancellationToken)
    {
        var outcome = await router.CallToolAsync(new McpToolCall("echo", new JsonObject { ["message"] = message }, Server: Server), cancellationToken);
        Assert.Equal($"Echo: {message}", NodeFixtures.Text(outcome.Result));
    }
}
