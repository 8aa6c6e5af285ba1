using System.Text.Json.Nodes;
using TaskFlow.Core.Model;
using TaskFlow.Core.Scheduling;
using TaskFlow.Core.Validation;
using TaskFlow.Engine.Tests.Infrastructure;

namespace TaskFlow.Engine.Tests.Dispatch;

public sealed class ChainCrashRecoveryTests
{
    private const int Steps = 2000;

    // A worker process is killed with SIGKILL in the middle of a 2,000-step chain that mixes pure
    // steps (noop; setVariable count = count + 1) with steps that act outside the instance
    // (sleep); a second worker finishes it. Every node succeeds exactly once. A side-effecting
    // step may have started twice (at-least-once execution); a pure step's effect is committed
    // with its success or not at all, so the counter ends at exactly the number of its steps.
    // The three pure steps after each sleep run inside the commit of the sleep's result (pure
    // steps inline, docs/engine.md), so a kill leaves each run of them committed whole or not at all.
    //
    //   s0(sleep) ──> s1(setVariable) ──> s2(noop) ──> s3(noop) ──> s4(sleep) ──> ... ──> s1999
    [Theory]
    [MemberData(nameof(TestEngine.Providers), MemberType = typeof(TestEngine))]
    public async Task WorkerKilledMidChain_AnotherWorkerFinishes_EachNodeSucceedsOnceAndPureStepsCountOnce(string provider)
    {
        var (database, drop) = await TestEngine.CreateAsync(provider);
        try
        {
            await using var engine = await TestEngine.StartAsync(provider, o =>
            {
                o.RunWorkers = false;
                o.Limits = new WorkflowLimits { MaxSubtasks = 5000 };
            }, database: database);
            await engine.Runtime.SaveDefinitionAsync(Definition());

            string id;
            await using (var doomed = await WorkerProcess.StartAsync(provider, database, "doomed", maxConcurrency: 8, leaseSeconds: 3))
            {
                id = await engine.Runtime.StartAsync("mixed-chain");
                await CrashRecoveryTests.WaitUntilAsync(async () => (await engine.Runtime.GetJournalAsync(id)).Count(j => j.Type == JournalEventType.NodeSucceeded) >= 300, "300 steps succeeded");
                doomed.KillHard();
            }

            var succeededBefore = (await engine.Runtime.GetJournalAsync(id)).Count(j => j.Type == JournalEventType.NodeSucceeded);
            Assert.InRange(succeededBefore, 300, Steps - 1);

            await using var rescuer = await WorkerProcess.StartAsync(provider, database, "rescuer", maxConcurrency: 8, leaseSeconds: 3);
            var view = await engine.Runtime.WaitAsync(id, TimeSpan.FromMinutes(5));

            Assert.NotNull(view);
            view.AssertSucceeded();
            Assert.Equal(Steps, view.Nodes.Count);
            Assert.All(view.Nodes, n => Assert.Equal(NodeStatus.Succeeded, n.Status));
            Assert.Equal(PureCounterSteps, view.Output!["count"]!.GetValue<int>());

            var journal = await engine.Runtime.GetJournalAsync(id);
            var successes = journal.Where(j => j.Type == JournalEventType.NodeSucceeded).GroupBy(j => j.NodeId!).ToArray();
            Assert.Equal(Steps, successes.Length);
            Assert.All(successes, g => Assert.Single(g));
            Assert.All(view.Nodes, n => Assert.Contains(journal, j => j.Type == JournalEventType.NodeStarted && j.NodeId == n.NodeId));
            Assert.Contains(journal, j => j.Type == JournalEventType.NodeSucceeded && j.Worker == "doomed");
            Assert.Contains(journal, j => j.Type == JournalEventType.NodeSucceeded && j.Worker == "rescuer");
            Assert.Contains(journal, j => j.Type == JournalEventType.LeaseReclaimed && j.Worker == "rescuer");

            // Pure steps ran inline: most share the commit (its clock reading and worker) of the
            // sleep before them. Not all need to: a commit stops running steps inline after 50 ms.
            var succeeded = journal.Where(j => j.Type == JournalEventType.NodeSucceeded).ToDictionary(j => j.NodeId!);
            var pure = Enumerable.Range(0, Steps).Where(i => i % 4 != 0).ToArray();
            var inline = pure.Count(i => succeeded[$"s{i}"].At == succeeded[$"s{i - i % 4}"].At && succeeded[$"s{i}"].Worker == succeeded[$"s{i - i % 4}"].Worker);
            Assert.True(inline > pure.Length / 2, $"{inline} of {pure.Length} pure steps committed with the sleep before them");

            // Steps succeed in chain order: no step committed before its predecessor.
            var order = journal.Where(j => j.Type == JournalEventType.NodeSucceeded).OrderBy(j => j.Id).Select(j => int.Parse(j.NodeId![1..], System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            Assert.Equal(Enumerable.Range(0, Steps), order);
        }
        finally
        {
            await drop();
        }
    }

    private static int PureCounterSteps => Enumerable.Range(0, Steps).Count(i => i % 4 == 1);

    private static string Definition()
    {
        var nodes = new JsonArray();
        var edges = new JsonArray();
        for (var i = 0; i < Steps; i++)
        {
            nodes.Add((i % 4) switch
            {
                0 => new JsonObject { ["id"] = $"s{i}", ["type"] = "sleep", ["inputs"] = new JsonObject { ["duration"] = "1ms" } },
                1 => new JsonObject { ["id"] = $"s{i}", ["type"] = "setVariable", ["inputs"] = new JsonObject { ["name"] = "count", ["value"] = "{{ vars.count + 1 }}" } },
                _ => new JsonObject { ["id"] = $"s{i}", ["type"] = "noop" },
            });
            if (i > 0)
            {
                edges.Add(new JsonObject { ["from"] = $"s{i - 1}", ["to"] = $"s{i}" });
            }
        }

        return new JsonObject
        {
            ["id"] = "mixed-chain",
            ["variables"] = new JsonObject { ["count"] = 0 },
            ["nodes"] = nodes,
            ["edges"] = edges,
            ["output"] = new JsonObject { ["count"] = "{{ vars.count }}" },
        }.ToJsonString();
    }
}
