using System.Text.Json.Nodes;
using ModelContextProtocol;
using TaskFlow.Routing.Tests.Router;
using TaskFlow.Testing;

namespace TaskFlow.Routing.Tests.Failures;

/// <summary>
/// Servers that stall half-way through an answer, stop answering, write lines that are no answer,
/// flood notifications, or answer with 50 MB.
/// No real server does these on demand, so the unruly server is a fixture
/// (Fixtures/unruly-server.js); the healthy server beside it, and the one answering too much over
/// Streamable HTTP, are the real everything server.
/// </summary>
public sealed class UnrulyServerTests : RouterFailureTest
{
    [Fact]
    public async Task CallToolAsync_ServerStopsHalfWayThroughItsAnswer_TheCallTimesOut_AndTheSameProcessServesTheNextCall()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var router = Fixture.Create(new() { ["unruly"] = RouterFixture.Stdio(NodeFixtures.Launch("unruly-server.js")) });
        var first = NodeFixtures.Text((await router.CallToolAsync(new McpToolCall("pid"), guard.Token)).Result);

        var timedOut = await Assert.ThrowsAsync<McpRoutingException>(() => router.CallToolAsync(new McpToolCall("half_answer", Timeout: TimeSpan.FromSeconds(1)), guard.Token));

        Assert.Equal("Tool 'half_answer' failed on every server tried: unruly: no answer within 1 s.", timedOut.Message);

        // The check after the timeout: its first ping's answer is glued to the half line and lost,
        // its second arrives whole. Without it the next call's answer would be the one lost.
        var server = router.Servers.Single();
        while (server.Probes == 0)
        {
            await Task.Delay(20, guard.Token);
        }

        var next = await router.CallToolAsync(new McpToolCall("pid", Timeout: TimeSpan.FromSeconds(10)), guard.Token);

        Assert.Equal(first, NodeFixtures.Text(next.Result));
        Assert.Equal(0, router.GetStatus().Single().Restarts);
    }

    [Fact]
    public async Task CallToolAsync_ServerWritesLinesThatAreNoAnswer_EachIsPassedOver_TheCallGetsItsAnswer_AndTheSameProcessServesTheNextCall()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var router = Fixture.Create(new() { ["unruly"] = RouterFixture.Stdio(NodeFixtures.Launch("unruly-server.js")) });
        var first = NodeFixtures.Text((await router.CallToolAsync(new McpToolCall("pid"), guard.Token)).Result);

        // Text, JSON that is not JSON-RPC, an answer to nobody's request, and an answer to this one
        // with neither result nor error come before the real answer: each is passed over, and the
        // call gets its answer.
        var answer = await router.CallToolAsync(new McpToolCall("garbage", Timeout: TimeSpan.FromSeconds(5)), guard.Token);

        Assert.Equal("done", NodeFixtures.Text(answer.Result));

        var next = await router.CallToolAsync(new McpToolCall("pid", Timeout: TimeSpan.FromSeconds(10)), guard.Token);

        Assert.Equal(first, NodeFixtures.Text(next.Result));
        Assert.Equal(0, router.GetStatus().Single().Restarts);
    }

    [Fact]
    public async Task CallToolAsync_ServerStopsAnsweringAnything_TheCallTimesOut_TheStuckProcessIsReplaced_AndLaterCallsSucceed()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var router = Fixture.Create(new() { ["unruly"] = RouterFixture.Stdio(NodeFixtures.Launch("unruly-server.js")) });
        var first = NodeFixtures.Text((await router.CallToolAsync(new McpToolCall("pid"), guard.Token)).Result);

        var timedOut = await Assert.ThrowsAsync<McpRoutingException>(() => router.CallToolAsync(new McpToolCall("stall", Timeout: TimeSpan.FromSeconds(1)), guard.Token));

        Assert.Equal("Tool 'stall' failed on every server tried: unruly: no answer within 1 s.", timedOut.Message);
        while (router.GetStatus().Single().Restarts == 0)
        {
            await Task.Delay(50, guard.Token);
        }

        Assert.Equal("stopped answering: a call was given up, and a ping then got no answer within 5 s", router.GetStatus().Single().LastError);
        var next = await router.CallToolAsync(new McpToolCall("pid", Timeout: TimeSpan.FromSeconds(10)), guard.Token);

        Assert.NotEqual(first, NodeFixtures.Text(next.Result));
    }

    [Fact]
    public async Task CallToolAsync_ServerAnswersWith50MB_FailsNamingTheLimit_TheNextCallGetsAFreshProcess_OtherServersServeMeanwhile()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var router = Fixture.Create(
            new()
            {
                ["unruly"] = RouterFixture.Stdio(NodeFixtures.Launch("unruly-server.js")),
                ["everything"] = RouterFixture.Stdio(McpTestServers.Everything()),
            });
        var first = NodeFixtures.Text((await router.CallToolAsync(new McpToolCall("pid"), guard.Token)).Result);
        await Echo(router, "warm", guard.Token);

        var huge = router.CallToolAsync(new McpToolCall("huge"), guard.Token);
        var echoed = 0;
        while (!huge.IsCompleted)
        {
            await Echo(router, $"during {echoed++}", guard.Token);
        }

        var error = await Assert.ThrowsAsync<McpRoutingException>(() => huge);

        Assert.Equal(
            "Tool 'huge' lost its connection mid-call and was not retried, because 'huge' is not marked idempotent (IdempotentTools, or idempotentHint/readOnlyHint in its listing): unruly: connection lost: sent a message larger than 10 MB (MaxMessageMegabytes).",
            error.Message);
        var next = await router.CallToolAsync(new McpToolCall("pid"), guard.Token);
        Assert.NotEqual(first, NodeFixtures.Text(next.Result));
        await Echo(router, "after", guard.Token);
    }

    [Fact]
    public async Task CallToolAsync_AnswerUnderARaisedLimit_ArrivesWhole()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var server = RouterFixture.Stdio(NodeFixtures.Launch("unruly-server.js", new Dictionary<string, string> { ["HUGE_MB"] = "2" }));
        server.MaxMessageMegabytes = 3;
        var router = Fixture.Create(new() { ["unruly"] = server });

        var answer = await router.CallToolAsync(new McpToolCall("huge"), guard.Token);

        Assert.Equal(2 * 1024 * 1024, NodeFixtures.Text(answer.Result).Length);
    }

    [Fact]
    public async Task CallToolAsync_StreamableHttpServerAnswersPastTheLimit_FailsNamingTheLimit_AndTheNextCallSucceeds()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await using var upstream = await McpTestServers.StartEverythingHttpAsync(guard.Token);
        var router = Fixture.Create(new() { ["remote"] = new() { Transport = "http", Url = upstream.Endpoint.ToString(), MaxMessageMegabytes = 1 } });
        await Echo(router, "small", guard.Token);

        // everything's echo answers "Echo: " and the message: 1.5 MB in, a bit more out.
        var error = await Assert.ThrowsAsync<McpRoutingException>(() => Echo(router, new string('y', 1536 * 1024), guard.Token));

        Assert.True(error.Message.Contains("sent a message larger than 1 MB (MaxMessageMegabytes)", StringComparison.Ordinal), error.ToString());
        await Echo(router, "after", guard.Token);
    }

    [Fact]
    public async Task CallToolAsync_ServerFloodsNotifications_TheCallAnswers_EveryProgressArrives_AndOtherServersServeMeanwhile()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var router = Fixture.Create(
            new()
            {
                ["unruly"] = RouterFixture.Stdio(NodeFixtures.Launch("unruly-server.js")),
                ["everything"] = RouterFixture.Stdio(McpTestServers.Everything()),
            });
        await Echo(router, "warm", guard.Token);
        var reports = 0;
        var last = 0f;
        var progress = new SynchronousProgress(value =>
        {
            Interlocked.Increment(ref reports);
            last = value.Progress;
        });

        var flood = router.CallToolAsync(new McpToolCall("flood", Progress: progress), guard.Token);
        var echoed = 0;
        while (!flood.IsCompleted)
        {
            await Echo(router, $"during {echoed++}", guard.Token);
        }

        Assert.Equal("done", NodeFixtures.Text((await flood).Result));
        Assert.Equal(20_000, Volatile.Read(ref reports));
        Assert.Equal(20_000f, last);
        await Echo(router, "after", guard.Token);
    }

    private static async Task Echo(McpRouter router, string message, CancellationToken cancellationToken)
    {
        var echoed = await router.CallToolAsync(new McpToolCall("echo", new JsonObject { ["message"] = message }), cancellationToken);
        Assert.Equal($"Echo: {message}", NodeFixtures.Text(echoed.Result));
    }

    private sealed class SynchronousProgress(Action<ProgressNotificationValue> report) : IProgress<ProgressNotificationValue>
    {
        public void Report(ProgressNotificationValue value) => report(value);
    }
}
