using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using TaskFlow.Routing.Bulkheads;
using TaskFlow.Routing.CircuitBreaking;
using TaskFlow.Routing.Strategies;
using TaskFlow.Routing.Tests.Router;
using TaskFlow.Testing;

namespace TaskFlow.Routing.Tests.Failures;

/// <summary>
/// An upstream process killed with SIGKILL in the middle of a load of calls: two real everything
/// servers behind a failover rule, "a" first.
/// </summary>
public sealed class UpstreamCrashTests : RouterFailureTest
{
    private const int Calls = 200;
    private const int Concurrency = 16;

    // A short open period so the test sees the breaker through half-open back to closed.
    private const string Rules = """
        routing_priorities:
          - pattern: "echo"
            servers: ["a", "b"]
            strategy: "failover"
        circuit_breakers:
          failure_threshold: 5
          timeout: 1s
          half_open_requests: 3
        """;

    [Fact]
    public async Task CallToolAsync_FailoverServerKilledUnderLoad_LosesNoCall_AndItsBreakerOpensThenRecoversThroughHalfOpen()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var router = Fixture.Create(new() { ["a"] = Server(), ["b"] = Server() }, Rules);
        var a = router.Servers.Single(s => s.Name == "a");
        var transitions = new ConcurrentQueue<(CircuitState From, CircuitState To, int Failures)>();
        a.Breaker.StateChanged += (from, to) => transitions.Enqueue((from, to, a.Breaker.ConsecutiveFailures));
        await router.ListToolsAsync(guard.Token);
        Assert.NotEmpty(Fixture.ProcessIds("a"));

        var served = new ConcurrentQueue<string>();
        var failures = new ConcurrentQueue<string>();
        var killed = new TaskCompletionSource<IReadOnlyList<int>>(TaskCreationOptions.RunContinuationsAsynchronously);
        var completed = 0;
        await Parallel.ForEachAsync(
            Enumerable.Range(0, Calls),
            new ParallelOptions { MaxDegreeOfParallelism = Concurrency, CancellationToken = guard.Token },
            async (i, cancellationToken) =>
            {
                try
                {
                    var outcome = await router.CallToolAsync(new McpToolCall("echo", new JsonObject { ["message"] = $"call {i}" }), cancellationToken);
                    Assert.Equal($"Echo: call {i}", NodeFixtures.Text(outcome.Result));
                    served.Enqueue(outcome.Server);
                }
                catch (McpRoutingException ex)
                {
                    failures.Enqueue($"call {i}: {ex.Message}");
                }

                if (Interlocked.Increment(ref completed) == Calls / 2)
                {
                    // Kill with calls in flight on "a" (the other workers keep it busy): they are
                    // the ones that fail over, and five failures open the circuit. On a busy
                    // machine the moment can otherwise fall between calls.
                    var waiting = Stopwatch.StartNew();
                    while (a.CallsInFlight < 5 && waiting.Elapsed < TimeSpan.FromSeconds(10))
                    {
                        await Task.Delay(1, cancellationToken);
                    }

                    killed.SetResult(Kill(Fixture.ProcessIds("a")));
                }
            });

        var killedIds = await killed.Task;
        Assert.NotEmpty(killedIds);
        Assert.Empty(failures);
        Assert.Equal(Calls, served.Count);
        Assert.Contains("b", served);

        // The calls on a's dead process failed over to b; the first five of them opened a's circuit.
        Assert.Contains((CircuitState.Closed, CircuitState.Open, 5), transitions);

        // After the open period the next calls go to "a" again, to a new process, as probes;
        // three good ones close the circuit.
        await WaitUntilAsync(() => a.Breaker.State != CircuitState.Open, guard.Token);
        for (var i = 0; i < 3; i++)
        {
            var outcome = await router.CallToolAsync(new McpToolCall("echo", new JsonObject { ["message"] = $"probe {i}" }), guard.Token);
            Assert.Equal(("a", $"Echo: probe {i}"), (outcome.Server, NodeFixtures.Text(outcome.Result)));
        }

        Assert.Equal(CircuitState.Closed, a.Breaker.State);
        var restarted = Fixture.ProcessIds("a");
        Assert.NotEmpty(restarted);
        Assert.Empty(restarted.Intersect(killedIds));
        var sequence = transitions.Select(t => (t.From, t.To)).ToList();
        var opened = sequence.IndexOf((CircuitState.Closed, CircuitState.Open));
        var halfOpened = sequence.IndexOf((CircuitState.Open, CircuitState.HalfOpen), opened + 1);
        Assert.True(halfOpened > opened, $"no half-open after the circuit opened: {string.Join(", ", sequence)}");
        Assert.Contains((CircuitState.HalfOpen, CircuitState.Closed), sequence.Skip(halfOpened + 1));
    }

    // The rate limiter is not under test: a high limit keeps every call in flight at the server,
    // so the kill cuts off a full window of calls rather than the few not held in its queue.
    private static UpstreamServerOptions Server()
    {
        var options = RouterFixture.Stdio(McpTestServers.Everything());
        options.RateLimit = 100_000;
        return options;
    }

    private static IReadOnlyList<int> Kill(IReadOnlyList<int> processIds)
    {
        foreach (var id in processIds)
        {
            try
            {
                // Process.Kill sends SIGKILL on Linux: no chance to close the session cleanly.
                using var process = Process.GetProcessById(id);
                process.Kill();
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
            {
                // Already gone.
            }
        }

        return processIds;
    }

    private static async Task WaitUntilAsync(Func<bool> condition, CancellationToken cancellationToken)
    {
        while (!condition())
        {
            await Task.Delay(50, cancellationToken);
        }
    }
}
