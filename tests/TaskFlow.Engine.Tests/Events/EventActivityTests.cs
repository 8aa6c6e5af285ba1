using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using TaskFlow.Core.Model;
using TaskFlow.Core.Scheduling;
using TaskFlow.Engine.Events;
using TaskFlow.Engine.Persistence;
using TaskFlow.Engine.Tests.Infrastructure;

namespace TaskFlow.Engine.Tests.Events;

public sealed class EventActivityTests
{
    //  wait(event paid, correlation input.order) ──done──> paid
    //                                             └timeout─> late
    private static string Definition(string id, string? timeout = null) => $$$"""
        { "id": "{{{id}}}", "nodes": [
            { "id": "wait", "type": "event", "inputs": { "name": "paid", "correlation": "{{ input.order }}"{{{(timeout is null ? "" : $", \"timeout\": \"{timeout}\"")}}} } },
            { "id": "paid", "type": "transform", "inputs": { "value": "{{ nodes.wait.output.amount }}" } },
            { "id": "late", "type": "noop" } ],
          "edges": [ { "from": "wait", "to": "paid" }, { "from": "wait", "to": "late", "fromPort": "timeout" } ] }
        """;

    [Theory]
    [MemberData(nameof(TestEngine.Providers), MemberType = typeof(TestEngine))]
    public async Task Event_MatchingCorrelation_ResumesWithPayloadAsOutput(string provider)
    {
        await using var engine = await TestEngine.StartAsync(provider);
        var store = engine.Services.GetRequiredService<EngineStore>();
        await engine.Runtime.SaveDefinitionAsync(Definition("order"));
        var first = await engine.Runtime.StartAsync("order", new JsonObject { ["order"] = "o-1" });
        var second = await engine.Runtime.StartAsync("order", new JsonObject { ["order"] = "o-2" });
        await WaitingAsync(store, first, second);

        var wrong = await store.DeliverEventAsync("paid", "o-3", null, new JsonObject { ["amount"] = 1 });
        var resumed = await store.DeliverEventAsync("paid", "o-1", null, new JsonObject { ["amount"] = 42 });
        var again = await store.DeliverEventAsync("paid", "o-1", null, new JsonObject { ["amount"] = 43 });

        Assert.Empty(wrong);
        Assert.Equal([new ResumedWait(first, "wait")], resumed);
        Assert.Empty(again);
        var view = (await engine.Runtime.WaitAsync(first, TimeSpan.FromSeconds(30)))!;
        view.AssertSucceeded();
        Assert.Equal(42, view.Node("wait").Output!["amount"]!.GetValue<int>());
        Assert.Equal(42, view.Node("paid").Output!.GetValue<int>());
        Assert.Equal(NodeStatus.Skipped, view.StatusOf("late"));
        Assert.Equal(InstanceStatus.Running, await engine.Runtime.GetStatusAsync(second));
        Assert.Equal([second], (await store.ListWaitsAsync(null, "paid", 10)).Select(w => w.InstanceId));
    }

    [Theory]
    [MemberData(nameof(TestEngine.Providers), MemberType = typeof(TestEngine))]
    public async Task Event_Timeout_LeavesByTimeoutPort_AndALaterEventFindsNothing(string provider)
    {
        await using var engine = await TestEngine.StartAsync(provider);
        var store = engine.Services.GetRequiredService<EngineStore>();
        var view = await engine.RunAsync(Definition("expiring", timeout: "1s"), new JsonObject { ["order"] = "o-1" });

        view.AssertSucceeded();
        Assert.True(view.Node("wait").Output!["timedOut"]!.GetValue<bool>());
        Assert.Equal(NodeStatus.Succeeded, view.StatusOf("late"));
        Assert.Equal(NodeStatus.Skipped, view.StatusOf("paid"));
        Assert.Empty(await store.DeliverEventAsync("paid", "o-1", null, null));
        Assert.Empty(await store.ListWaitsAsync(view.Id, null, 10));
    }

    [Theory]
    [MemberData(nameof(TestEngine.Providers), MemberType = typeof(TestEngine))]
    public async Task Event_BeforeTimeout_Wins_AndItsTimerLeavesTheQueue(string provider)
    {
        await using var engine = await TestEngine.StartAsync(provider);
        var store = engine.Services.GetRequiredService<EngineStore>();
        await engine.Runtime.SaveDefinitionAsync(Definition("patient", timeout: "1h"));
        var id = await engine.Runtime.StartAsync("patient", new JsonObject { ["order"] = "o-9" });
        await WaitingAsync(store, id);
        Assert.NotNull(await store.NextVisibleAtAsync());

        Assert.Single(await store.DeliverEventAsync("paid", "o-9", id, new JsonObject { ["amount"] = 7 }));
        var view = (await engine.Runtime.WaitAsync(id, TimeSpan.FromSeconds(30)))!;

        view.AssertSucceeded();
        Assert.Equal(NodeStatus.Succeeded, view.StatusOf("paid"));
        Assert.Equal(NodeStatus.Skipped, view.StatusOf("late"));
        Assert.Null(await store.NextVisibleAtAsync());
    }

    [Theory]
    [MemberData(nameof(TestEngine.Providers), MemberType = typeof(TestEngine))]
    public async Task ResumeToken_WorksOnce(string provider)
    {
        await using var engine = await TestEngine.StartAsync(provider);
        var store = engine.Services.GetRequiredService<EngineStore>();
        await engine.Runtime.SaveDefinitionAsync(Definition("token"));
        var id = await engine.Runtime.StartAsync("token", new JsonObject { ["order"] = "o-1" });
        var token = (await WaitingAsync(store, id)).Single().Token;

        var first = await store.ResumeByTokenAsync(token, new JsonObject { ["amount"] = 5 });
        var second = await store.ResumeByTokenAsync(token, new JsonObject { ["amount"] = 6 });

        Assert.Equal(new ResumedWait(id, "wait"), first);
        Assert.Null(second);
        var view = (await engine.Runtime.WaitAsync(id, TimeSpan.FromSeconds(30)))!;
        Assert.Equal(5, view.Node("paid").Output!.GetValue<int>());
        Assert.Single(await engine.Runtime.GetJournalAsync(id), j => j.NodeId == "wait" && j.Type == JournalEventType.NodeSucceeded);
    }

    [Theory]
    [MemberData(nameof(TestEngine.Providers), MemberType = typeof(TestEngine))]
    public async Task CancelledInstance_TakesItsWaitsAlong(string provider)
    {
        await using var engine = await TestEngine.StartAsync(provider);
        var store = engine.Services.GetRequiredService<EngineStore>();
        await engine.Runtime.SaveDefinitionAsync(Definition("cancelled"));
        var id = await engine.Runtime.StartAsync("cancelled", new JsonObject { ["order"] = "o-1" });
        await WaitingAsync(store, id);

        Assert.True(await engine.Runtime.CancelAsync(id));

        Assert.Empty(await store.ListWaitsAsync(id, null, 10));
        Assert.Empty(await store.DeliverEventAsync("paid", "o-1", null, null));
        Assert.Equal(InstanceStatus.Cancelled, await engine.Runtime.GetStatusAsync(id));
    }

    // Two engines on one PostgreSQL receive the same event at the same moment, many times over:
    // every waiting node is resumed by exactly one of them, and completes once.
    [Fact]
    public async Task SameEvent_OnTwoServersAtOnce_ResumesEachNodeExactlyOnce()
    {
        const int Instances = 40;
        var (database, drop) = await TestEngine.CreateAsync(TestEngine.Postgres);
        try
        {
            await using var a = await TestEngine.StartAsync(TestEngine.Postgres, database: database);
            await using var b = await TestEngine.StartAsync(TestEngine.Postgres, database: database);
            var storeA = a.Services.GetRequiredService<EngineStore>();
            var storeB = b.Services.GetRequiredService<EngineStore>();
            await a.Runtime.SaveDefinitionAsync(Definition("shared"));
            var ids = new List<string>();
            for (var i = 0; i < Instances; i++)
            {
                ids.Add(await a.Runtime.StartAsync("shared", new JsonObject { ["order"] = $"o-{i}" }));
            }

            await WaitingAsync(storeA, [.. ids]);
            var deliveries = ids.Select((_, i) => i).SelectMany(i => new[]
            {
                Task.Run(() => storeA.DeliverEventAsync("paid", $"o-{i}", null, new JsonObject { ["amount"] = i })),
                Task.Run(() => storeB.DeliverEventAsync("paid", $"o-{i}", null, new JsonObject { ["amount"] = i })),
            }).ToArray();
            var resumed = (await Task.WhenAll(deliveries)).SelectMany(r => r).ToArray();

            Assert.Equal(Instances, resumed.Length);
            Assert.Equal(ids.Order(), resumed.Select(r => r.InstanceId).Order());
            foreach (var id in ids)
            {
                var view = (await a.Runtime.WaitAsync(id, TimeSpan.FromSeconds(60)))!;
                view.AssertSucceeded();
                Assert.Single(await a.Runtime.GetJournalAsync(id), j => j.NodeId == "paid" && j.Type == JournalEventType.NodeSucceeded);
            }
        }
        finally
        {
            await drop();
        }
    }

    // One kept event, two nodes that take earlier events with its correlation: exactly one takes it.
    [Theory]
    [MemberData(nameof(TestEngine.Providers), MemberType = typeof(TestEngine))]
    public async Task KeptEvent_IsTakenByOneNodeThatTakesEarlierEvents(string provider)
    {
        await using var engine = await TestEngine.StartAsync(provider);
        var store = engine.Services.GetRequiredService<EngineStore>();
        await engine.Runtime.SaveDefinitionAsync("""
            { "id": "early", "nodes": [ { "id": "wait", "type": "event", "inputs": { "name": "paid", "correlation": "{{ input.order }}", "earlier": "5m" } } ] }
            """);
        await engine.Runtime.SaveDefinitionAsync(Definition("strict"));
        await store.KeepEventAsync("paid", "o-1", null, new JsonObject { ["amount"] = 3 }, TimeSpan.FromMinutes(5));

        var strict = await engine.Runtime.StartAsync("strict", new JsonObject { ["order"] = "o-1" });
        await WaitingAsync(store, strict);
        var first = await engine.Runtime.StartAsync("early", new JsonObject { ["order"] = "o-1" });
        var taker = (await engine.Runtime.WaitAsync(first, TimeSpan.FromSeconds(30)))!;
        var second = await engine.Runtime.StartAsync("early", new JsonObject { ["order"] = "o-1" });
        await WaitingAsync(store, second);

        taker.AssertSucceeded();
        Assert.Equal(3, taker.Node("wait").Output!["amount"]!.GetValue<int>());
        Assert.Equal(InstanceStatus.Running, await engine.Runtime.GetStatusAsync(second));
        Assert.Equal(InstanceStatus.Running, await engine.Runtime.GetStatusAsync(strict));
    }

    // The race an event and a node starting to wait can run: the event missed the node (it was not
    // committed yet) and is kept after the node committed. Keeping looks for such a node after its
    // commit, so the node is resumed all the same, once.
    [Theory]
    [MemberData(nameof(TestEngine.Providers), MemberType = typeof(TestEngine))]
    public async Task KeptEvent_NodeAlreadyWaitingWithEarlier_IsResumedByTheKeep(string provider)
    {
        await using var engine = await TestEngine.StartAsync(provider);
        var store = engine.Services.GetRequiredService<EngineStore>();
        await engine.Runtime.SaveDefinitionAsync("""
            { "id": "early", "nodes": [ { "id": "wait", "type": "event", "inputs": { "name": "paid", "correlation": "{{ input.order }}", "earlier": "5m" } } ] }
            """);
        var id = await engine.Runtime.StartAsync("early", new JsonObject { ["order"] = "o-4" });
        await WaitingAsync(store, id);

        await store.KeepEventAsync("paid", "o-4", null, new JsonObject { ["amount"] = 9 }, TimeSpan.FromMinutes(5));
        var view = (await engine.Runtime.WaitAsync(id, TimeSpan.FromSeconds(30)))!;

        view.AssertSucceeded();
        Assert.Equal(9, view.Node("wait").Output!["amount"]!.GetValue<int>());
        Assert.Empty(await store.DeliverEventAsync("paid", "o-4", null, null));
    }

    /// <summary>Waits until each instance has a node waiting for an event; returns the waits.</summary>
    private static async Task<IReadOnlyList<EventWaitView>> WaitingAsync(EngineStore store, params string[] instanceIds)
    {
        for (var i = 0; i < 400; i++)
        {
            var waits = await store.ListWaitsAsync(null, null, 500);
            if (instanceIds.All(id => waits.Any(w => w.InstanceId == id)))
            {
                return waits.Where(w => instanceIds.Contains(w.InstanceId)).ToArray();
            }

            await Task.Delay(25);
        }

        throw new Xunit.Sdk.XunitException($"Not every instance of {string.Join(", ", instanceIds)} waits for an event after 10 s.");
    }
}
