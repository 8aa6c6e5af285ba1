using System.Diagnostics;
using TaskFlow.Routing.CircuitBreaking;
using TaskFlow.Routing.Tests.Router;
using TaskFlow.Testing;

namespace TaskFlow.Routing.Tests.Failures;

/// <summary>
/// The reference report's <c>memory.*</c> failover over memory-bank-mcp and server-memory (both
/// real, from npm), with memory-bank's process killed three times while calls keep coming.
/// </summary>
public sealed class MemoryFailoverCrashTests : RouterFailureTest
{
    [Fact]
    public async Task CallToolAsync_MemoryBankKilledThreeTimesUnderLoad_LosesNoIdempotentCall_AndTheBreakerNeverOpens()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(180));
        var root = Directory.CreateTempSubdirectory("taskflow-memory-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "project-a"));
            await File.WriteAllTextAsync(Path.Combine(root, "project-a", "notes.md"), "kept");

            // memory-bank's listing carries no hints; its reading tools are marked safe to repeat here.
            var bank = RouterFixture.Stdio(McpTestServers.MemoryBank(root));
            bank.IdempotentTools = ["list_projects", "list_project_files", "memory_bank_read"];
            var router = Fixture.Create(
                new() { ["memory-bank"] = bank, ["memory"] = RouterFixture.Stdio(McpTestServers.Memory(Path.Combine(root, "graph.jsonl"))) },
                Gateway.McpGatewayTests.MemoryRule);
            Router = router;
            var memoryBank = router.Servers.Single(s => s.Name == "memory-bank");
            var opened = 0;
            memoryBank.Breaker.StateChanged += (_, to) =>
            {
                if (to == CircuitState.Open)
                {
                    Interlocked.Increment(ref opened);
                }
            };

            var served = new Dictionary<string, int>();
            var failures = new List<string>();
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(guard.Token);
            var loops = Enumerable.Range(0, 4).Select(worker => Task.Run(async () =>
            {
                for (var i = 0; !stop.IsCancellationRequested; i++)
                {
                    var tool = (worker + i) % 3 == 0 ? "memory.read_graph" : "memory.list_projects";
                    try
                    {
                        var outcome = await router.CallToolAsync(new McpToolCall(tool), guard.Token);
                        lock (served)
                        {
                            served[$"{tool}@{outcome.Server}"] = served.GetValueOrDefault($"{tool}@{outcome.Server}") + 1;
                        }
                    }
                    catch (McpRoutingException ex)
                    {
                        lock (failures)
                        {
                            failures.Add($"{tool}: {ex.Message}");
                        }
                    }
                }
            })).ToList();

            int Served()
            {
                lock (served)
                {
                    return served.GetValueOrDefault("memory.list_projects@memory-bank");
                }
            }

            var killed = new List<int>();
            for (var round = 0; round < 3; round++)
            {
                await WaitUntilAsync(() => memoryBank.CallsInFlight > 0 && Fixture.ProcessIds("memory-bank").Except(killed).Any(), guard.Token);
                var ids = Fixture.ProcessIds("memory-bank").Except(killed).ToList();
                foreach (var id in ids)
                {
                    try
                    {
                        using var process = Process.GetProcessById(id);
                        process.Kill();
                    }
                    catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
                    {
                        // Already gone.
                    }
                }

                killed.AddRange(ids);
                await WaitUntilAsync(() => memoryBank.Restarts > round, guard.Token);

                // Each call meets at most one crash (it is retried once): the calls cut off by this
                // one are done before the next, once a few more have been served by the new process.
                var servedBefore = Served();
                await WaitUntilAsync(() => Served() >= servedBefore + 20, guard.Token);
            }

            await Task.Delay(500, guard.Token);
            await stop.CancelAsync();
            await Task.WhenAll(loops);

            Assert.True(failures.Count == 0, $"{failures.Count} calls failed, e.g.:\n{string.Join("\n", failures.Take(3))}");
            Assert.Equal(0, opened);
            Assert.True(served.GetValueOrDefault("memory.list_projects@memory-bank") > 0);
            Assert.True(served.GetValueOrDefault("memory.read_graph@memory") > 0);
            Assert.Equal(["memory.list_projects@memory-bank", "memory.read_graph@memory"], served.Keys.Order());
            var status = router.GetStatus().Single(s => s.Name == "memory-bank");
            Assert.Equal(3, status.Restarts);
            Assert.Matches(@"^process \d+ exited with code 137 \(signal 9\)", status.LastError);
            Assert.Equal(CircuitState.Closed, status.Breaker);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    // A restart may take up to the router's connect timeout (30 s) for one start on a loaded
    // machine, so a condition gets longer than that; the test's 180 s guard bounds the whole.
    private static readonly TimeSpan ConditionWait = TimeSpan.FromSeconds(75);

    private async Task WaitUntilAsync(Func<bool> condition, CancellationToken cancellationToken, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(condition))] string what = "")
    {
        var waited = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(waited.Elapsed < ConditionWait, $"waited {ConditionWait.TotalSeconds:0} s for {what}; status: {System.Text.Json.JsonSerializer.Serialize(Router?.GetStatus())}");
            await Task.Delay(10, cancellationToken);
        }
    }

    private McpRouter? Router { get; set; }
}
