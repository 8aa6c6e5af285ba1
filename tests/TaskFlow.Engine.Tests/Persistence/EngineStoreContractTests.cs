using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TaskFlow.Core.Activities;
using TaskFlow.Core.Model;
using TaskFlow.Core.Scheduling;
using TaskFlow.Engine.Persistence;
using TaskFlow.Engine.Tests.Infrastructure;

namespace TaskFlow.Engine.Tests.Persistence;

// The store's contract, the same cases against both providers, driven through EngineStore
// itself (no worker runs): claim, commit, lease loss, cancel, retry, timers, foreach iterations.
//
//   a ──> b                      (chain)
//   r (retry: 3 attempts, 1h)    (retry)
//   each(foreach) ──> after      (foreach)
public sealed class EngineStoreContractTests
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    [Theory]
    [MemberData(nameof(TestEngine.Providers), MemberType = typeof(TestEngine))]
    public async Task Claim_DueItem_LeasedToOneWorkerOnly(string provider)
    {
        await using var engine = await StartAsync(provider);
        var (store, id) = (Store(engine), await RunAsync(engine, Chain));

        var a = Assert.Single(await store.ClaimAsync("w1", 10, Lease));
        Assert.Empty(await store.ClaimAsync("w2", 10, Lease));

        Assert.Equal(("a", 1, 1), (a.NodeId, a.Attempt, a.Claims));
        Assert.Single(await engine.Runtime.GetJournalAsync(id), j => j.Type == JournalEventType.NodeStarted && j.NodeId == "a" && j.Worker == "w1");
    }

    [Theory]
    [MemberData(nameof(TestEngine.Providers), MemberType = typeof(TestEngine))]
    public async Task Complete_HeldLease_NodeSucceedsAndTheSuccessorIsKeptLeased(string provider)
    {
        await using var engine = await StartAsync(provider);
        var (store, id) = (Store(engine), await RunAsync(engine, Chain));
        var a = Assert.Single(await store.ClaimAsync("w1", 10, Lease));

        var b = Assert.Single(await store.CompleteAsync([new Completion(a, ActivityResult.Succeeded(new JsonObject { ["x"] = 1 }), 0)], "w1", keepForSelf: 4, Lease));

        Assert.Equal(("b", 1), (b.NodeId, b.Claims));
        Assert.Empty(await store.ClaimAsync("w2", 10, Lease));
        Assert.Equal([b.Id], await store.ExtendLeasesAsync("w1", [b], Lease));
        var view = await engine.Runtime.GetInstanceAsync(id);
        Assert.Equal("""{"x":1}""", view!.Nodes.Single(n => n.NodeId == "a").Output!.ToJsonString());
        Assert.Single(await engine.Runtime.GetJournalAsync(id), j => j.Type == JournalEventType.NodeSucceeded && j.NodeId == "a");
    }

    [Theory]
    [MemberData(nameof(TestEngine.Providers), MemberType = typeof(TestEngine))]
    public async Task Complete_WithCapacityLeft_ClaimsOtherDueWorkOnlyWhenAskedTo(string provider)
    {
        await using var engine = await StartAsync(provider);
        var store = Store(engine);
        await RunAsync(engine, Chain);
        var a = Assert.Single(await store.ClaimAsync("w1", 10, Lease));
        await RunAsync(engine, Chain);

        // The other instance's first step is due; the worker was told the queue had nothing more.
        var kept = await store.CompleteAsync([new Completion(a, ActivityResult.Succeeded(), 0)], "w1", keepForSelf: 4, Lease, inline: null, claimDue: false);

        var b = Assert.Single(kept);
        Assert.Equal("b", b.NodeId);
        var other = Assert.Single(await store.ClaimAsync("w2", 10, Lease));
        Assert.Equal("a", other.NodeId);

        // Asked to, the commit fills its capacity with the due work of others.
        await RunAsync(engine, Chain);
        var filled = await store.CompleteAsync([new Completion(b, ActivityResult.Succeeded(), 0)], "w1", keepForSelf: 4, Lease, inline: null, claimDue: true);
        Assert.Equal("a", Assert.Single(filled).NodeId);
    }

    [Theory]
    [MemberData(nameof(TestEngine.Providers), MemberType = typeof(TestEngine))]
    public async Task Complete_LeaseLostToAnotherWorker_ResultDroppedAndTheHolderCommits(string provider)
    {
        await using var engine = await StartAsync(provider);
        var (store, id) = (Store(engine), await RunAsync(engine, Chain));
        var stale = Assert.Single(await store.ClaimAsync("w1", 10, Lease));
        await store.ReleaseLeasesAsync("w1", [stale]);
        var current = Assert.Single(await store.ClaimAsync("w2", 10, Lease));

        Assert.Empty(await store.ExtendLeasesAsync("w1", [stale], Lease));
        Assert.Empty(await store.CompleteAsync([new Completion(stale, ActivityResult.Succeeded(), 0)], "w1", keepForSelf: 4, Lease));
        Assert.Single(await store.CompleteAsync([new Completion(current, ActivityResult.Succeeded(), 0)], "w2", keepForSelf: 4, Lease));

        var journal = await engine.Runtime.GetJournalAsync(id);
        Assert.Equal(2, current.Claims);
        Assert.Single(journal, j => j.Type == JournalEventType.NodeSucceeded && j.NodeId == "a");
        Assert.Single(journal, j => j.Type == JournalEventType.NodeSucceeded && j.NodeId == "a" && j.Worker == "w2");
        Assert.Single(journal, j => j.Type == JournalEventType.LeaseReclaimed && j.NodeId == "a" && j.Worker == "w2");
    }

    [Theory]
    [MemberData(nameof(TestEngine.Providers), MemberType = typeof(TestEngine))]
    public async Task Cancel_WhileLeased_TheLeaseIsGoneAndTheLateResultIsDropped(string provider)
    {
        await using var engine = await StartAsync(provider);
        var (store, id) = (Store(engine), await RunAsync(engine, Chain));
        var a = Assert.Single(await store.ClaimAsync("w1", 10, Lease));

        Assert.True(await store.CancelInstanceAsync(id, "stopped by the test"));

        Assert.Empty(await store.ExtendLeasesAsync("w1", [a], Lease));
        Assert.Empty(await store.CompleteAsync([new Completion(a, ActivityResult.Succeeded(), 0)], "w1", keepForSelf: 4, Lease));
        Assert.False(await store.CancelInstanceAsync(id, "again"));
        var view = await engine.Runtime.GetInstanceAsync(id);
        Assert.Equal(InstanceStatus.Cancelled, view!.Status);
        Assert.Equal(NodeStatus.Cancelled, view.Nodes.Single(n => n.NodeId == "a").Status);
        Assert.DoesNotContain(await engine.Runtime.GetJournalAsync(id), j => j.Type == JournalEventType.NodeSucceeded);
        Assert.Null(await store.NextVisibleAtAsync());
    }

    [Theory]
    [MemberData(nameof(TestEngine.Providers), MemberType = typeof(TestEngine))]
    public async Task Retry_RetryableFailure_TheNextAttemptWaitsInTheQueueForItsBackoff(string provider)
    {
        await using var engine = await StartAsync(provider);
        var (store, id) = (Store(engine), await RunAsync(engine, Retrying));
        var first = Assert.Single(await store.ClaimAsync("w1", 10, Lease));

        var before = DateTimeOffset.UtcNow;
        Assert.Empty(await store.CompleteAsync([new Completion(first, ActivityResult.Failed("not yet"), 0)], "w1", keepForSelf: 4, Lease));

        // The backoff is a queue row due in an hour: nobody can claim it now.
        Assert.Empty(await store.ClaimAsync("w1", 10, Lease));
        var due = await store.NextVisibleAtAsync();
        Assert.NotNull(due);
        Assert.InRange(due.Value, before + TimeSpan.FromMinutes(59), DateTimeOffset.UtcNow + TimeSpan.FromMinutes(61));
        var node = (await engine.Runtime.GetInstanceAsync(id))!.Nodes.Single(n => n.NodeId == "r");
        Assert.Equal(2, node.Attempt);
        Assert.NotEqual(NodeStatus.Failed, node.Status);
    }

    [Theory]
    [MemberData(nameof(TestEngine.Providers), MemberType = typeof(TestEngine))]
    public async Task Timer_SuspendedNode_IsAQueueRowDueAtItsTimeAndNotClaimableBefore(string provider)
    {
        await using var engine = await StartAsync(provider);
        var (store, id) = (Store(engine), await RunAsync(engine, Chain));
        var a = Assert.Single(await store.ClaimAsync("w1", 10, Lease));
        var resumeAt = DateTimeOffset.UtcNow.AddHours(2);

        Assert.Empty(await store.CompleteAsync([new Completion(a, ActivityResult.Suspend(resumeAt), 0)], "w1", keepForSelf: 4, Lease));

        Assert.Empty(await store.ClaimAsync("w2", 10, Lease));

        // Stores keep milliseconds: the due time is rounded up to one, so it never fires early.
        var dueMs = resumeAt.ToUnixTimeMilliseconds() + (resumeAt.Ticks % TimeSpan.TicksPerMillisecond == 0 ? 0 : 1);
        Assert.Equal(dueMs, (await store.NextVisibleAtAsync())!.Value.ToUnixTimeMilliseconds());
        Assert.Equal(NodeStatus.Waiting, (await engine.Runtime.GetInstanceAsync(id))!.Nodes.Single(n => n.NodeId == "a").Status);
    }

    [Theory]
    [MemberData(nameof(TestEngine.Providers), MemberType = typeof(TestEngine))]
    public async Task ForEach_Iterations_EachIsAWorkItemAtMostTwoAtOnceAndTheNodeSucceedsAfterAll(string provider)
    {
        await using var engine = await StartAsync(provider);
        var (store, id) = (Store(engine), await RunAsync(engine, ForEach));
        var each = Assert.Single(await store.ClaimAsync("w1", 10, Lease));
        var body = new JsonObject { ["type"] = "noop" };

        var running = (await store.CompleteAsync([new Completion(each, ActivityResult.ForEach([10, 20, 30], 2, body), 0)], "w1", keepForSelf: 8, Lease)).ToList();
        Assert.Equal(["each[0]", "each[1]"], running.Select(w => w.NodeId).Order());
        Assert.Empty(await store.ClaimAsync("w2", 10, Lease));

        var seen = new List<string>();
        while (running.Count > 0 && running.All(w => w.NodeId.StartsWith("each[", StringComparison.Ordinal)))
        {
            var next = running[0];
            running.RemoveAt(0);
            seen.Add(next.NodeId);
            running.AddRange(await store.CompleteAsync([new Completion(next, ActivityResult.Succeeded(new JsonObject { ["n"] = next.NodeId }), 0)], "w1", keepForSelf: 8, Lease));
        }

        Assert.Equal(["each[0]", "each[1]", "each[2]"], seen.Order());
        Assert.Equal("after", Assert.Single(running).NodeId);
        var view = await engine.Runtime.GetInstanceAsync(id);
        Assert.Equal(NodeStatus.Succeeded, view!.Nodes.Single(n => n.NodeId == "each").Status);
        Assert.Equal(3, view.Nodes.Single(n => n.NodeId == "each").Output!.AsArray().Count);
    }

    private const string Chain = """
        { "id": "contract-chain", "nodes": [ { "id": "a", "type": "noop" }, { "id": "b", "type": "noop" } ], "edges": [ { "from": "a", "to": "b" } ] }
        """;

    private const string Retrying = """
        { "id": "contract-retry", "nodes": [ { "id": "r", "type": "noop", "retry": { "maxAttempts": 3, "delay": "1h", "maxDelay": "2h" } } ], "edges": [] }
        """;

    private const string ForEach = """
        { "id": "contract-foreach", "nodes": [
            { "id": "each", "type": "foreach", "inputs": { "items": [10, 20, 30], "maxParallelism": 2, "body": { "type": "noop" } } },
            { "id": "after", "type": "noop" } ],
          "edges": [ { "from": "each", "to": "after" } ] }
        """;

    // StoreSchema is the one home of the core tables' names: the EF model maps exactly its columns,
    // and the database each provider's migrations built has exactly those columns, no more.
    [Theory]
    [MemberData(nameof(TestEngine.Providers), MemberType = typeof(TestEngine))]
    public async Task Schema_ModelAndMigratedDatabase_HaveExactlyTheColumnsOfStoreSchema(string provider)
    {
        await using var engine = await StartAsync(provider);
        await using var context = engine.Services.GetRequiredService<TaskFlowDbContextFactory>().Create();
        var connection = context.Database.GetDbConnection();
        await connection.OpenAsync();
        foreach (var (table, columns) in StoreSchema.All)
        {
            var listed = columns.Split(", ").Order(StringComparer.Ordinal).ToArray();

            var entity = Assert.Single(context.Model.GetEntityTypes(), e => e.GetTableName() == table);
            var identifier = Microsoft.EntityFrameworkCore.Metadata.StoreObjectIdentifier.Table(table, null);
            Assert.Equal(listed, entity.GetProperties().Select(p => p.GetColumnName(identifier)!).Order(StringComparer.Ordinal));

            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT * FROM {table} WHERE 1 = 0";
            await using var reader = await command.ExecuteReaderAsync();
            Assert.Equal(listed, Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).Order(StringComparer.Ordinal));
        }
    }

    private static Task<TestEngine> StartAsync(string provider) => TestEngine.StartAsync(provider, o => o.RunWorkers = false);

    private static EngineStore Store(TestEngine engine) => engine.Services.GetRequiredService<EngineStore>();

    private static async Task<string> RunAsync(TestEngine engine, string definition)
    {
        var saved = await engine.Runtime.SaveDefinitionAsync(definition);
        return await engine.Runtime.StartAsync(saved.Id);
    }
}
