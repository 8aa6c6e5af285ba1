using TaskFlow.Core.Model;
using TaskFlow.Core.Scheduling;
using TaskFlow.Core.Validation;
using TaskFlow.Engine.Tests.Infrastructure;

namespace TaskFlow.Engine.Tests.Dispatch;

public sealed class CrashRecoveryTests
{
    private const int Branches = 1997; // + start, join, end = 2,000 nodes

    // A worker process is killed with SIGKILL while it holds leases in a 2,000-node fan-out;
    // a second worker process re-claims the expired leases and finishes the instance.
    [Theory]
    [MemberData(nameof(TestEngine.Providers), MemberType = typeof(TestEngine))]
    public async Task WorkerKilledMidRun_AnotherWorkerReclaimsLeases_EachNodeSucceedsOnce(string provider)
    {
        var (database, drop) = await TestEngine.CreateAsync(provider);
        try
        {
            // This engine stores and inspects; only the worker processes execute.
            await using var engine = await TestEngine.StartAsync(provider, o =>
            {
                o.RunWorkers = false;
                o.Limits = new WorkflowLimits { MaxSubtasks = 5000 };
            }, database: database);
            await engine.Runtime.SaveDefinitionAsync(FanOut.Definition("crash", Branches, duration: "20ms"));

            string id;
            await using (var doomed = await WorkerProcess.StartAsync(provider, database, "doomed", maxConcurrency: 8, leaseSeconds: 3))
            {
                id = await engine.Runtime.StartAsync("crash");
                await WaitUntilAsync(async () => (await engine.Runtime.GetJournalAsync(id)).Count(j => j.Type == JournalEventType.NodeSucceeded) >= 300, "300 nodes succeeded");
                doomed.KillHard();
            }

            var beforeRestart = await engine.Runtime.GetJournalAsync(id);
            var succeededBefore = beforeRestart.Count(j => j.Type == JournalEventType.NodeSucceeded);
            Assert.InRange(succeededBefore, 300, 1999);

            await using var rescuer = await WorkerProcess.StartAsync(provider, database, "rescuer", maxConcurrency: 16, leaseSeconds: 3);
            var view = await engine.Runtime.WaitAsync(id, TimeSpan.FromMinutes(3));

            Assert.NotNull(view);
            view.AssertSucceeded();
            Assert.Equal(Branches + 3, view.Nodes.Count);
            Assert.All(view.Nodes, n => Assert.Equal(NodeStatus.Succeeded, n.Status));
            var journal = await engine.Runtime.GetJournalAsync(id);
            var successes = journal.Where(j => j.Type == JournalEventType.NodeSucceeded).GroupBy(j => j.NodeId!).ToArray();
            Assert.Equal(Branches + 3, successes.Length);
            Assert.All(successes, g => Assert.Single(g));
            Assert.Contains(journal, j => j.Type == JournalEventType.LeaseReclaimed && j.Worker == "rescuer");
            Assert.Contains(journal, j => j.Type == JournalEventType.NodeSucceeded && j.Worker == "doomed");
            Assert.Contains(journal, j => j.Type == JournalEventType.NodeSucceeded && j.Worker == "rescuer");
        }
        finally
        {
            await drop();
        }
    }

    internal static async Task WaitUntilAsync(Func<Task<bool>> condition, string what, int seconds = 120)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(20);
        }

        throw new Xunit.Sdk.XunitException($"Timed out waiting for {what}.");
    }
}
