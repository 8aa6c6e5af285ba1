using TaskFlow.Core.Model;
using TaskFlow.Core.Scheduling;
using TaskFlow.Engine.Tests.Infrastructure;

namespace TaskFlow.Engine.Tests.Dispatch;

public sealed class LoopCrashRecoveryTests
{
    private const int Rounds = 300;

    // A worker process is killed with SIGKILL in the middle of a loop of 300 rounds; a second worker
    // finishes it. Each round of each node succeeds exactly once: the counter its pure step keeps
    // ends at exactly 300, the loop went back 299 times, and every success of a node is a different
    // attempt (a late result of an earlier round would be stale, not a second success).
    //
    //   count(setVariable n + 1) ──> wait(sleep) ──> check(noop) ──[vars.n >= 300]──> done
    //     ^                                            │
    //     └─────────────────[vars.n < 300, loop]───────┘
    private const string Definition = """
        {
          "id": "crash-loop",
          "variables": { "n": 0 },
          "nodes": [
            { "id": "count", "type": "setVariable", "inputs": { "name": "n", "value": "{{ vars.n + 1 }}" } },
            { "id": "wait", "type": "sleep", "inputs": { "duration": "1ms" } },
            { "id": "check", "type": "noop" },
            { "id": "done", "type": "transform", "inputs": { "value": "{{ vars.n }}" } }
          ],
          "edges": [
            { "from": "count", "to": "wait" }, { "from": "wait", "to": "check" },
            { "from": "check", "to": "done", "condition": "vars.n >= 300" },
            { "from": "check", "to": "count", "condition": "vars.n < 300", "loop": true }
          ],
          "output": { "n": "{{ vars.n }}" }
        }
        """;

    [Theory]
    [MemberData(nameof(TestEngine.Providers), MemberType = typeof(TestEngine))]
    public async Task WorkerKilledMidLoop_AnotherWorkerFinishes_EachRoundOfEachNodeSucceedsOnce(string provider)
    {
        var (database, drop) = await TestEngine.CreateAsync(provider);
        try
        {
            await using var engine = await TestEngine.StartAsync(provider, o => o.RunWorkers = false, database: database);
            await engine.Runtime.SaveDefinitionAsync(Definition);

            string id;
            await using (var doomed = await WorkerProcess.StartAsync(provider, database, "doomed", maxConcurrency: 8, leaseSeconds: 3))
            {
                id = await engine.Runtime.StartAsync("crash-loop");
                await CrashRecoveryTests.WaitUntilAsync(async () => (await engine.Runtime.GetJournalAsync(id)).Count(j => j.Type == JournalEventType.LoopedBack) >= 100, "100 rounds");
                doomed.KillHard();
            }

            var roundsBefore = (await engine.Runtime.GetJournalAsync(id)).Count(j => j.Type == JournalEventType.LoopedBack);
            Assert.InRange(roundsBefore, 100, Rounds - 2);

            await using var rescuer = await WorkerProcess.StartAsync(provider, database, "rescuer", maxConcurrency: 8, leaseSeconds: 3);
            var view = await engine.Runtime.WaitAsync(id, TimeSpan.FromMinutes(5));

            Assert.NotNull(view);
            view.AssertSucceeded();
            Assert.Equal(Rounds, view.Output!["n"]!.GetValue<int>());
            var journal = await engine.Runtime.GetJournalAsync(id);
            Assert.Equal(Rounds - 1, journal.Count(j => j.Type == JournalEventType.LoopedBack));
            foreach (var node in new[] { "count", "wait", "check" })
            {
                var successes = journal.Where(j => j.Type == JournalEventType.NodeSucceeded && j.NodeId == node).ToList();
                Assert.Equal(Rounds, successes.Count);
                Assert.Equal(Rounds, successes.Select(s => s.Attempt).Distinct().Count());
            }

            Assert.Single(journal, j => j.Type == JournalEventType.NodeSucceeded && j.NodeId == "done");
            Assert.Contains(journal, j => j.Type == JournalEventType.NodeSucceeded && j.Worker == "doomed");
            Assert.Contains(journal, j => j.Type == JournalEventType.NodeSucceeded && j.Worker == "rescuer");
        }
        finally
        {
            await drop();
        }
    }
}
