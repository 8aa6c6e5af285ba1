using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using TaskFlow.Core.Model;
using TaskFlow.Core.Validation;
using TaskFlow.Engine.Persistence;
using TaskFlow.Engine.Tests.Infrastructure;

namespace TaskFlow.Engine.Tests.Events;

public sealed class EventPublishActivityTests
{
    //  order:  wait(event paid, correlation input.order) ──> paid (the payload's amount)
    private const string Waiter = """
        { "id": "order", "nodes": [
            { "id": "wait", "type": "event", "inputs": { "name": "paid", "correlation": "{{ input.order }}" } },
            { "id": "paid", "type": "transform", "inputs": { "value": "{{ nodes.wait.output.amount }}" } } ],
          "edges": [ { "from": "wait", "to": "paid" } ] }
        """;

    //  payment:  pay (event.publish paid, correlation input.order, payload { amount }) ──> after
    private const string Publisher = """
        { "id": "payment", "nodes": [
            { "id": "pay", "type": "event.publish", "inputs": { "name": "paid", "correlation": "{{ input.order }}", "payload": { "amount": "{{ input.amount }}" } } },
            { "id": "after", "type": "noop" } ],
          "edges": [ { "from": "pay", "to": "after" } ] }
        """;

    [Theory]
    [MemberData(nameof(TestEngine.Providers), MemberType = typeof(TestEngine))]
    public async Task Publish_FromAWorkflow_ResumesTheMatchingWaiterOnly_WithThePayload(string provider)
    {
        await using var engine = await TestEngine.StartAsync(provider);
        var store = engine.Services.GetRequiredService<EngineStore>();
        await engine.Runtime.SaveDefinitionAsync(Waiter);
        var first = await engine.Runtime.StartAsync("order", new JsonObject { ["order"] = "o-1" });
        var second = await engine.Runtime.StartAsync("order", new JsonObject { ["order"] = "o-2" });
        await WaitingAsync(store, first, second);

        var publisher = await engine.RunAsync(Publisher, new JsonObject { ["order"] = "o-1", ["amount"] = 42 });

        publisher.AssertSucceeded();
        var output = publisher.Node("pay").Output!;
        Assert.Equal("paid", (string?)output["event"]);
        var resumed = Assert.Single(output["resumed"]!.AsArray());
        Assert.Equal((first, "wait"), ((string?)resumed!["instanceId"], (string?)resumed["nodeId"]));
        Assert.False((bool)output["dropped"]!);
        var view = (await engine.Runtime.WaitAsync(first, TimeSpan.FromSeconds(30)))!;
        view.AssertSucceeded();
        Assert.Equal(42, view.Node("paid").Output!.GetValue<int>());
        Assert.Equal(InstanceStatus.Running, await engine.Runtime.GetStatusAsync(second));
    }

    [Theory]
    [MemberData(nameof(TestEngine.Providers), MemberType = typeof(TestEngine))]
    public async Task Publish_MatchingNothing_IsDropped_AndTheNodeSucceeds(string provider)
    {
        await using var engine = await TestEngine.StartAsync(provider);

        var view = await engine.RunAsync(Publisher, new JsonObject { ["order"] = "nobody", ["amount"] = 1 });

        view.AssertSucceeded();
        var output = view.Node("pay").Output!;
        Assert.Empty(output["resumed"]!.AsArray());
        Assert.True((bool)output["dropped"]!);
        Assert.Null(output["keptUntil"]);
    }

    [Fact]
    public async Task Publish_WithoutAName_IsRefusedOnSave_NamingTheNode()
    {
        await using var engine = await TestEngine.StartAsync(TestEngine.Sqlite);

        var refused = await Assert.ThrowsAsync<WorkflowValidationException>(() => engine.Runtime.SaveDefinitionAsync("""
            { "id": "nameless", "nodes": [ { "id": "pay", "type": "event.publish", "inputs": { "payload": 1 } } ], "edges": [] }
            """));

        Assert.Contains(refused.Problems, p => p.Target == "node 'pay'" && p.Message.Contains("name", StringComparison.Ordinal));
    }

    private static async Task WaitingAsync(EngineStore store, params string[] instanceIds)
    {
        for (var i = 0; i < 400; i++)
        {
            var waits = await store.ListWaitsAsync(null, null, 500);
            if (instanceIds.All(id => waits.Any(w => w.InstanceId == id)))
            {
                return;
            }

            await Task.Delay(25);
        }

        throw new Xunit.Sdk.XunitException($"Not every instance of {string.Join(", ", instanceIds)} waits for an event after 10 s.");
    }
}
