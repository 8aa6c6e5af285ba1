using TaskFlow.Core.Model;
using TaskFlow.Core.Scheduling;
using TaskFlow.Engine.Tests.Infrastructure;

namespace TaskFlow.Engine.Tests.Scheduling;

public sealed class DelayTests
{
    //  wait(delay 1s) ──> after
    [Theory]
    [MemberData(nameof(TestEngine.Providers), MemberType = typeof(TestEngine))]
    public async Task Delay_Waits_ThenContinues(string provider)
    {
        await using var engine = await TestEngine.StartAsync(provider);
        var view = await engine.RunAsync("""
            { "id": "wait", "nodes": [ { "id": "wait", "type": "delay", "inputs": { "duration": "1s" } }, { "id": "after", "type": "noop" } ],
              "edges": [ { "from": "wait", "to": "after" } ] }
            """);

        view.AssertSucceeded();
        var journal = await engine.Runtime.GetJournalAsync(view.Id);
        var suspended = journal.Single(j => j.NodeId == "wait" && j.Type == JournalEventType.NodeSuspended).At;
        var fired = journal.Single(j => j.NodeId == "wait" && j.Type == JournalEventType.NodeSucceeded).At;
        Assert.True(fired - suspended >= TimeSpan.FromMilliseconds(990), $"Fired after {(fired - suspended).TotalMilliseconds} ms.");
    }

    [Theory]
    [MemberData(nameof(TestEngine.Providers), MemberType = typeof(TestEngine))]
    public async Task Delay_SurvivesRestart_FiresOnceAfterDueTime(string provider)
    {
        var (connection, drop) = await TestEngine.CreateAsync(provider);
        try
        {
            string id;
            await using (var first = await TestEngine.StartAsync(provider, database: connection))
            {
                await first.Runtime.SaveDefinitionAsync("""
                    { "id": "timer", "nodes": [ { "id": "wait", "type": "delay", "inputs": { "duration": "2s" } }, { "id": "after", "type": "noop" } ],
                      "edges": [ { "from": "wait", "to": "after" } ] }
                    """);
                id = await first.Runtime.StartAsync("timer");
                await WaitForAsync(first, id, JournalEventType.NodeSuspended);
            }

            // The first process is gone; the timer lives in the database only.
            await using var second = await TestEngine.StartAsync(provider, database: connection);
            var view = await second.Runtime.WaitAsync(id, TimeSpan.FromSeconds(30));

            view!.AssertSucceeded();
            var journal = await second.Runtime.GetJournalAsync(id);
            var suspended = journal.Single(j => j.Type == JournalEventType.NodeSuspended).At;
            var fired = journal.Single(j => j.NodeId == "wait" && j.Type == JournalEventType.NodeSucceeded).At;
            Assert.True(fired - suspended >= TimeSpan.FromMilliseconds(1990));
            Assert.Single(journal, j => j.NodeId == "after" && j.Type == JournalEventType.NodeSucceeded);
        }
        finally
        {
            await drop();
        }
    }

    private static async Task WaitForAsync(TestEngine engine, string id, JournalEventType type)
    {
        for (var i = 0; i < 200; i++)
        {
            if ((await engine.Runtime.GetJournalAsync(id)).Any(j => j.Type == type))
            {
                return;
            }

            await Task.Delay(25);
        }

        throw new Xunit.Sdk.XunitException($"No {type} in the journal of {id} after 5 s.");
    }
}
