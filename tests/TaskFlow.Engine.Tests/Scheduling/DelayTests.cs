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
        var (due, fired) = DueAndFired(journal);
        Assert.True(fired >= due, $"Fired at {fired:O}, before its due time {due:O}.");
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
            var (due, fired) = DueAndFired(journal);
            Assert.True(fired >= due, $"Fired at {fired:O}, before its due time {due:O}.");
            Assert.Single(journal, j => j.NodeId == "after" && j.Type == JournalEventType.NodeSucceeded);
        }
        finally
        {
            await drop();
        }
    }

    /// <summary>
    /// The due time the delay computed when it ran (its suspension says "Waiting until ..."; the
    /// suspension's own time is a moment later, once the transition is built) and when it fired.
    /// </summary>
    private static (DateTimeOffset Due, DateTimeOffset Fired) DueAndFired(IReadOnlyList<TaskFlow.Engine.Runtime.JournalEventView> journal)
    {
        var suspended = journal.Single(j => j.NodeId == "wait" && j.Type == JournalEventType.NodeSuspended);
        var text = suspended.Message ?? "";
        const string prefix = "Waiting until ";
        Assert.StartsWith(prefix, text);
        var due = DateTimeOffset.Parse(text[prefix.Length..].TrimEnd('.'), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(due - suspended.At > TimeSpan.FromSeconds(0.5), $"Due at {due:O}, suspended at {suspended.At:O}: the delay's duration is not in its due time.");
        var fired = journal.Single(j => j.NodeId == "wait" && j.Type == JournalEventType.NodeSucceeded).At;
        return (due, fired);
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
