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
        var folder = Path.Combine(Path.GetTempPath(), "taskflow-delay-" + Guid.NewGuid().ToString("N")[..8]);
        var (connection, drop) = provider == TestEngine.Postgres
            ? await TestEngine.CreateDatabaseAsync()
            : (folder, () =>
            {
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                Directory.Delete(folder, recursive: true);
                return Task.CompletedTask;
            });
        try
        {
            string id;
            await using (var first = await TestEngine.StartAsync(provider, o => Use(o, provider, connection)))
            {
                await first.Runtime.SaveDefinitionAsync("""
                    { "id": "timer", "nodes": [ { "id": "wait", "type": "delay", "inputs": { "duration": "2s" } }, { "id": "after", "type": "noop" } ],
                      "edges": [ { "from": "wait", "to": "after" } ] }
                    """);
                id = await first.Runtime.StartAsync("timer");
                await WaitForAsync(first, id, JournalEventType.NodeSuspended);
            }

            // The first process is gone; the timer lives in the database only.
            await using var second = await TestEngine.StartAsync(provider, o => Use(o, provider, connection));
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

    private static void Use(Hosting.TaskFlowEngineOptions options, string provider, string connection)
    {
        if (provider == TestEngine.Postgres)
        {
            options.PostgresConnectionString = connection;
        }
        else
        {
            options.DataDirectory = connection;
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
