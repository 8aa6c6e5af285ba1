using TaskFlow.Core.Scheduling;
using TaskFlow.Core.Validation;
using TaskFlow.Engine.Tests.Infrastructure;

namespace TaskFlow.Engine.Tests.Dispatch;

public sealed class ScaleOutTests
{
    private const int Branches = 1997;

    // Two worker processes on one PostgreSQL, no coordinator: both take a share of a
    // 2,000-node fan-out, and no node completes twice.
    [Fact]
    public async Task TwoWorkerProcesses_ShareOneFanOut_EachDoesAShareAndNoNodeTwice()
    {
        var (database, drop) = await TestEngine.CreateAsync(TestEngine.Postgres);
        try
        {
            await using var engine = await TestEngine.StartAsync(TestEngine.Postgres, o =>
            {
                o.RunWorkers = false;
                o.Limits = new WorkflowLimits { MaxSubtasks = 5000 };
            }, database: database);
            await engine.Runtime.SaveDefinitionAsync(FanOut.Definition("shared", Branches, duration: "5ms"));
            await using var first = await WorkerProcess.StartAsync(TestEngine.Postgres, database, "first", maxConcurrency: 16);
            await using var second = await WorkerProcess.StartAsync(TestEngine.Postgres, database, "second", maxConcurrency: 16);

            var id = await engine.Runtime.StartAsync("shared");
            var view = await engine.Runtime.WaitAsync(id, TimeSpan.FromMinutes(3));

            Assert.NotNull(view);
            view.AssertSucceeded();
            var journal = await engine.Runtime.GetJournalAsync(id);
            var successes = journal.Where(j => j.Type == JournalEventType.NodeSucceeded).ToArray();
            Assert.Equal(Branches + 3, successes.Length);
            Assert.Equal(Branches + 3, successes.Select(s => s.NodeId).Distinct().Count());
            var byWorker = successes.GroupBy(s => s.Worker).ToDictionary(g => g.Key!, g => g.Count());
            Assert.Equal(["first", "second"], byWorker.Keys.Order());
            Assert.All(byWorker.Values, count => Assert.True(count >= 200, $"Shares were uneven: {string.Join(", ", byWorker.Select(p => $"{p.Key}={p.Value}"))}."));
        }
        finally
        {
            await drop();
        }
    }
}
