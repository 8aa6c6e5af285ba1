using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using TaskFlow.Core.Activities;
using TaskFlow.Core.Model;
using TaskFlow.Core.Scheduling;
using TaskFlow.Engine.Persistence;
using TaskFlow.Engine.Tests.Infrastructure;

namespace TaskFlow.Engine.Tests.Persistence;

// The one-round-trip commit on PostgreSQL: a commit computed from the row this process last
// wrote is sent with its checks; when the row or the lease changed meanwhile, nothing of it is
// written and the ordinary commit decides.
//
//   a ──> b ──> c        (noop steps)
public sealed class GuardedCommitTests
{
    private const string Chain = """
        { "id": "guarded", "nodes": [ { "id": "a", "type": "noop" }, { "id": "b", "type": "noop" }, { "id": "c", "type": "noop" } ],
          "edges": [ { "from": "a", "to": "b" }, { "from": "b", "to": "c" } ] }
        """;

    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task CompleteAsync_InstanceUnchanged_CommitsFromTheCachedRowAndKeepsTheSuccessor()
    {
        await using var engine = await TestEngine.StartAsync(TestEngine.Postgres, o => o.RunWorkers = false);
        var store = engine.Services.GetRequiredService<EngineStore>();
        var id = await StartAsync(engine);
        Assert.True(store.Rows.TryGet(id, out var before, out _));

        var a = Assert.Single(await store.ClaimAsync("w", 10, Lease));
        var kept = await store.CompleteAsync([new Completion(a, ActivityResult.Succeeded(), 0)], "w", keepForSelf: 1, Lease);

        var b = Assert.Single(kept);
        Assert.Equal("b", b.NodeId);
        Assert.Equal(1, store.GuardedCommits);
        Assert.True(store.Rows.TryGet(id, out var after, out _));
        Assert.NotEqual(before.RowVersion, after.RowVersion);
        Assert.Equal(await RowVersionAsync(engine, id), after.RowVersion);
        var journal = await engine.Runtime.GetJournalAsync(id);
        Assert.Single(journal, j => j.Type == JournalEventType.NodeSucceeded && j.NodeId == "a");
        Assert.Single(journal, j => j.Type == JournalEventType.NodeStarted && j.NodeId == "b" && j.Worker == "w");
    }

    [Fact]
    public async Task CompleteAsync_InstanceRowChangedElsewhere_GuardFailsTheOrdinaryCommitKeepsTheChangeAndTheRowIsNotCachedAgain()
    {
        await using var engine = await TestEngine.StartAsync(TestEngine.Postgres, o => o.RunWorkers = false);
        var store = engine.Services.GetRequiredService<EngineStore>();
        var id = await StartAsync(engine);
        var a = Assert.Single(await store.ClaimAsync("w", 10, Lease));

        // Another process writes the row after this one cached it: a commit computed from the
        // cached row would write the old variables back over this change.
        await ExecuteAsync(engine, "UPDATE tf_instances SET variables = '{\"elsewhere\":true}' WHERE id = @id", id);
        var kept = await store.CompleteAsync([new Completion(a, ActivityResult.Succeeded(), 0)], "w", keepForSelf: 1, Lease);

        Assert.Equal("b", Assert.Single(kept).NodeId);
        Assert.Equal(0, store.GuardedCommits);
        Assert.Equal("{\"elsewhere\":true}", await ScalarAsync<string>(engine, "SELECT variables FROM tf_instances WHERE id = @id", id));
        var view = await engine.Runtime.GetInstanceAsync(id);
        Assert.NotNull(view);
        Assert.Equal(NodeStatus.Succeeded, view.Nodes.Single(n => n.NodeId == "a").Status);
        var journal = await engine.Runtime.GetJournalAsync(id);
        Assert.Single(journal, j => j.Type == JournalEventType.NodeSucceeded && j.NodeId == "a");

        // An instance written by someone else is not cached again: its next commits go the ordinary way at once.
        Assert.False(store.Rows.TryGet(id, out _, out _));
        var c = Assert.Single(await store.CompleteAsync([new Completion(kept[0], ActivityResult.Succeeded(), 0)], "w", keepForSelf: 1, Lease));
        Assert.Equal("c", c.NodeId);
        Assert.Equal(0, store.GuardedCommits);
        Assert.False(store.Rows.TryGet(id, out _, out _));
    }

    [Fact]
    public async Task CompleteAsync_LeaseLostWhileTheRowIsCached_ResultDroppedAndTheNewHolderCommits()
    {
        await using var engine = await TestEngine.StartAsync(TestEngine.Postgres, o => o.RunWorkers = false);
        var store = engine.Services.GetRequiredService<EngineStore>();
        var id = await StartAsync(engine);
        var stale = Assert.Single(await store.ClaimAsync("first", 10, Lease));
        await store.ReleaseLeasesAsync("first", [stale]);
        var current = Assert.Single(await store.ClaimAsync("second", 10, Lease));
        Assert.Equal(stale.Id, current.Id);

        // The instance row is unchanged and cached: only the lease check can stop this commit.
        Assert.True(store.Rows.TryGet(id, out _, out _));

        var dropped = await store.CompleteAsync([new Completion(stale, ActivityResult.Succeeded(), 0)], "first", keepForSelf: 1, Lease);
        Assert.Empty(dropped);
        Assert.Equal(0, store.GuardedCommits);
        Assert.Equal(NodeStatus.Running, (await engine.Runtime.GetInstanceAsync(id))!.Nodes.Single(n => n.NodeId == "a").Status);

        // The failed check dropped the cached row, so this commit reads it.
        Assert.False(store.Rows.TryGet(id, out _, out _));
        var kept = await store.CompleteAsync([new Completion(current, ActivityResult.Succeeded(), 0)], "second", keepForSelf: 1, Lease);
        Assert.Equal("b", Assert.Single(kept).NodeId);
        Assert.Equal(0, store.GuardedCommits);
        var journal = await engine.Runtime.GetJournalAsync(id);
        Assert.Single(journal, j => j.Type == JournalEventType.NodeSucceeded && j.NodeId == "a" && j.Worker == "second");
    }

    [Fact]
    public async Task CompleteAsync_ChainToTheEnd_EveryStepOnceAndTheFinishedInstanceLeavesTheCache()
    {
        await using var engine = await TestEngine.StartAsync(TestEngine.Postgres, o => o.RunWorkers = false);
        var store = engine.Services.GetRequiredService<EngineStore>();
        var id = await StartAsync(engine);
        var next = await store.ClaimAsync("w", 10, Lease);
        while (next.Count > 0)
        {
            next = await store.CompleteAsync([new Completion(Assert.Single(next), ActivityResult.Succeeded(), 0)], "w", keepForSelf: 1, Lease);
        }

        // Every step, the last one (which finishes the instance) included, took one round trip.
        Assert.Equal(3, store.GuardedCommits);
        var view = await engine.Runtime.GetInstanceAsync(id);
        Assert.NotNull(view);
        Assert.Equal(InstanceStatus.Succeeded, view.Status);
        Assert.All(view.Nodes, n => Assert.Equal(NodeStatus.Succeeded, n.Status));
        Assert.False(store.Rows.TryGet(id, out _, out _));
        var journal = await engine.Runtime.GetJournalAsync(id);
        Assert.Equal(["a", "b", "c"], journal.Where(j => j.Type == JournalEventType.NodeSucceeded).Select(j => j.NodeId!).Order());
        Assert.Equal(["b", "c"], journal.Where(j => j.Type == JournalEventType.NodeStarted && j.Worker == "w" && j.NodeId != "a").Select(j => j.NodeId!).Order());
    }

    private static async Task<string> StartAsync(TestEngine engine)
    {
        await engine.Runtime.SaveDefinitionAsync(Chain);
        return await engine.Runtime.StartAsync("guarded");
    }

    private static Task<long> RowVersionAsync(TestEngine engine, string id) =>
        ScalarAsync<long>(engine, "SELECT xmin::text::bigint FROM tf_instances WHERE id = @id", id);

    private static async Task<T> ScalarAsync<T>(TestEngine engine, string sql, string id)
    {
        await using var connection = new NpgsqlConnection(engine.Connection);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("id", id);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    private static async Task ExecuteAsync(TestEngine engine, string sql, string id)
    {
        await using var connection = new NpgsqlConnection(engine.Connection);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("id", id);
        Assert.Equal(1, await command.ExecuteNonQueryAsync());
    }
}
