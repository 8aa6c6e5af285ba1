using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using TaskFlow.Routing.Tests.Failures;
using TaskFlow.Routing.Tests.Router;
using TaskFlow.Testing;

namespace TaskFlow.Routing.Tests.Upstreams;

/// <summary>
/// How a server's pool of stdio connections grows and shrinks, against the real everything
/// server: its <c>echo</c> answers at once, its <c>trigger-long-running-operation</c> takes as
/// long as it is told. Only counts are asserted (connections, processes, calls in flight), never
/// how fast anything ran.
/// </summary>
public sealed class ConnectionPoolTests : RouterFailureTest
{
    private const string Server = "everything";

    /// <remarks>
    /// 64 callers keep far more than <c>CallsPerConnection</c> (16) calls in flight, which used to
    /// be enough to open more processes. The server answers those calls side by side and quickly,
    /// so one connection carries them all. <c>GrowAfter</c> is raised to 5 s here: on a shared
    /// machine running other tests a process can be stopped for most of a second, and calls held
    /// up that long look like calls waiting on a slow server. What is under test is that the
    /// number of calls in flight alone opens no connection.
    /// </remarks>
    [Fact]
    public async Task CallToolAsync_QuickToolAt64Concurrent_StaysOnOneConnection()
    {
        const int calls = 3_000;
        const int concurrency = 64;
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var options = Everything();
        options.GrowAfter = TimeSpan.FromSeconds(5);
        var router = Fixture.Create(new() { [Server] = options });
        var server = router.Servers.Single();
        await router.ListToolsAsync(guard.Token);

        int peak;
        using (var sampling = CancellationTokenSource.CreateLinkedTokenSource(guard.Token))
        {
            var sampler = PeakAsync(() => server.CallsInFlight, TimeSpan.FromMilliseconds(1), sampling.Token);
            await Parallel.ForEachAsync(
                Enumerable.Range(0, calls),
                new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = guard.Token },
                async (i, cancellationToken) =>
                {
                    var outcome = await router.CallToolAsync(new McpToolCall("echo", new JsonObject { ["message"] = $"call {i}" }, Server: Server), cancellationToken);
                    Assert.Equal($"Echo: call {i}", NodeFixtures.Text(outcome.Result));
                });
            await sampling.CancelAsync();
            peak = await sampler;
        }

        // The load did put more than CallsPerConnection calls on the connection at once.
        Assert.True(peak > options.CallsPerConnection, $"at most {peak} calls were in flight; the test needs more than {options.CallsPerConnection} to mean anything");
        Assert.Equal(1, server.ConnectionCount);
        Assert.Single(Fixture.ProcessIds(Server));
    }

    /// <remarks>
    /// Each call takes 0.4 to 1.3 s (varied, so that calls end one by one, as on a busy server,
    /// rather than all at once); the bulkhead lets MaxConnections x CallsPerConnection = 6 in at a
    /// time, and 12 callers keep it full:
    /// <code>
    ///   first 6 calls ──► connection 1 (nothing has waited yet)
    ///   a call ends   ──► the next finds connection 1 with 2+ calls, the oldest out for far
    ///                     longer than GrowAfter ──► opens connection 2
    ///   ...           ──► connection 3, then no more: MaxConnections is 3
    /// </code>
    /// </remarks>
    [Fact]
    public async Task CallToolAsync_SlowToolUnderLoad_GrowsToMaxConnectionsAndNoFurther()
    {
        const int calls = 60;
        const int concurrency = 12;
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var options = Everything();
        options.MaxConnections = 3;
        options.CallsPerConnection = 2;
        var router = Fixture.Create(new() { [Server] = options });
        var server = router.Servers.Single();
        await router.ListToolsAsync(guard.Token);

        int peakConnections, peakProcesses;
        using (var sampling = CancellationTokenSource.CreateLinkedTokenSource(guard.Token))
        {
            var connections = PeakAsync(() => server.ConnectionCount, TimeSpan.FromMilliseconds(1), sampling.Token);
            var processes = PeakAsync(() => Fixture.ProcessIds(Server).Count, TimeSpan.FromMilliseconds(50), sampling.Token);
            await Parallel.ForEachAsync(
                Enumerable.Range(0, calls),
                new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = guard.Token },
                async (i, cancellationToken) =>
                {
                    var outcome = await router.CallToolAsync(Slow(seconds: 0.4 + (0.15 * (i % 7))), cancellationToken);
                    Assert.StartsWith("Long running operation completed", NodeFixtures.Text(outcome.Result), StringComparison.Ordinal);
                });
            await sampling.CancelAsync();
            (peakConnections, peakProcesses) = (await connections, await processes);
        }

        Assert.Equal((3, 3), (peakConnections, peakProcesses));
        Assert.Equal(3, server.ConnectionCount);
        Assert.Equal(3, Fixture.ProcessIds(Server).Count);
    }

    /// <remarks>
    /// The router's clock is a fake one, moved by the test: three slow calls each open a
    /// connection (<c>GrowAfter</c> 0 grows on the count alone) and are then cancelled, and the
    /// pool sits idle.
    /// <code>
    ///   idle IdleTimeout - 1 ms ──► a call ──► 3 connections still
    ///   idle IdleTimeout        ──► a call ──► the two newest are closed, the first one serves it
    /// </code>
    /// </remarks>
    [Fact]
    public async Task CallToolAsync_ConnectionsIdleForIdleTimeout_AreClosedDownToOne()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var options = Everything();
        options.MaxConnections = 3;
        options.CallsPerConnection = 1;
        options.GrowAfter = TimeSpan.Zero;
        options.IdleTimeout = TimeSpan.FromMinutes(1);
        var router = Fixture.Create(new() { [Server] = options }, time: time);
        var server = router.Servers.Single();
        await router.ListToolsAsync(guard.Token);

        using (var background = CancellationTokenSource.CreateLinkedTokenSource(guard.Token))
        {
            var slow = new List<Task<McpCallOutcome>>();
            for (var i = 1; i <= 3; i++)
            {
                slow.Add(router.CallToolAsync(Slow(seconds: 60), background.Token));
                var expected = i;
                await WaitUntilAsync(() => server.CallsInFlight == expected && server.ConnectionCount == expected, guard.Token);
            }

            await background.CancelAsync();
            foreach (var call in slow)
            {
                await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
            }
        }

        var pids = Fixture.ProcessIds(Server);
        Assert.Equal(3, pids.Count);

        // Each cancelled call is followed by a check of its connection (two pings); the clock is
        // moved only once those have ended, so that what is measured is the idle time alone.
        await WaitUntilAsync(() => server.Probes == 3, guard.Token);
        Assert.Equal(3, server.ConnectionCount);

        time.Advance(options.IdleTimeout - TimeSpan.FromMilliseconds(1));
        await Echo(router, "not idle long enough", guard.Token);
        Assert.Equal(3, server.ConnectionCount);

        time.Advance(TimeSpan.FromMilliseconds(1));
        await Echo(router, "idle long enough", guard.Token);
        Assert.Equal(1, server.ConnectionCount);
        await WaitUntilAsync(() => Fixture.ProcessIds(Server).Count == 1, guard.Token);
        Assert.Subset(pids.ToHashSet(), Fixture.ProcessIds(Server).ToHashSet());
    }

    private static UpstreamServerOptions Everything()
    {
        var options = RouterFixture.Stdio(McpTestServers.Everything());

        // The rate limiter is not under test: a high limit lets every caller's call through to the pool.
        options.RateLimit = 1_000_000;
        return options;
    }

    // Tier 1: the router's gate lets tier 3 fill only 75% of the servers' capacity, and these
    // tests need all of it.
    private static McpToolCall Slow(double seconds) =>
        new("trigger-long-running-operation", new JsonObject { ["duration"] = seconds, ["steps"] = 1 }, Tier: 1, Server: Server);

    private static async Task Echo(McpRouter router, string message, CancellationToken cancellationToken)
    {
        var outcome = await router.CallToolAsync(new McpToolCall("echo", new JsonObject { ["message"] = message }, Server: Server), cancellationToken);
        Assert.Equal($"Echo: {message}", NodeFixtures.Text(outcome.Result));
    }

    /// <summary>The highest value <paramref name="read"/> returns until cancelled, read every <paramref name="interval"/>.</summary>
    private static async Task<int> PeakAsync(Func<int> read, TimeSpan interval, CancellationToken cancellationToken)
    {
        var peak = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            peak = Math.Max(peak, read());
            try
            {
                await Task.Delay(interval, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        return Math.Max(peak, read());
    }

    private static async Task WaitUntilAsync(Func<bool> condition, CancellationToken cancellationToken)
    {
        while (!condition())
        {
            await Task.Delay(20, cancellationToken);
        }
    }
}
