using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using TaskFlow.Core.Model;
using TaskFlow.Engine.Tests.Infrastructure;

namespace TaskFlow.Engine.Tests.Scheduling;

/// <summary>A <c>workflow</c> node with <c>"wait": false</c>: the child is started and runs on its own.</summary>
public sealed class DispatchedChildTests
{
    //   slow:  hold (event release) ──> done (transform input.n): it waits until the test releases it
    private const string Slow = """
        { "id": "slow", "nodes": [
            { "id": "hold", "type": "event", "inputs": { "name": "release" } },
            { "id": "done", "type": "transform", "inputs": { "value": "{{ input.n }}" } } ],
          "edges": [ { "from": "hold", "to": "done" } ], "output": "{{ nodes.done.output }}" }
        """;

    //   broken: boom (fail)
    private const string Broken = """{ "id": "broken", "nodes": [ { "id": "boom", "type": "fail", "inputs": { "message": "child broke" } } ], "edges": [] }""";

    //   parent: send (workflow slow, wait false) ──> also (workflow broken, wait false) ──> after
    private const string Parent = """
        { "id": "parent", "nodes": [
            { "id": "send", "type": "workflow", "inputs": { "definitionId": "slow", "input": { "n": 7 }, "wait": false } },
            { "id": "also", "type": "workflow", "inputs": { "definitionId": "broken", "wait": false } },
            { "id": "after", "type": "transform", "inputs": { "value": "{{ nodes.send.output.instanceId }}" } } ],
          "edges": [ { "from": "send", "to": "also" }, { "from": "also", "to": "after" } ] }
        """;

    [Theory]
    [MemberData(nameof(TestEngine.Providers), MemberType = typeof(TestEngine))]
    public async Task Workflow_WithoutWaiting_SucceedsAtOnceWithTheChildsId_AndTheChildRunsOnItsOwn(string provider)
    {
        await using var engine = await TestEngine.StartAsync(provider);
        await engine.Runtime.SaveDefinitionAsync(Slow);
        await engine.Runtime.SaveDefinitionAsync(Broken);

        var parent = await engine.RunAsync(Parent);

        // The parent does not wait for the children, nor fail with the one that fails.
        parent.AssertSucceeded();
        var childId = (string)parent.Node("send").Output!["instanceId"]!;
        Assert.Equal(childId, parent.Node("after").Output!.GetValue<string>());
        Assert.Equal("slow", (string?)parent.Node("send").Output!["definitionId"]);
        Assert.Equal(InstanceStatus.Running, await engine.Runtime.GetStatusAsync(childId));
        await ReleaseAsync(engine, 1);
        var child = (await engine.Runtime.WaitAsync(childId, TimeSpan.FromSeconds(30)))!;
        child.AssertSucceeded();
        Assert.Equal(7, child.Output!.GetValue<int>());
        Assert.Null(child.ParentInstanceId);
        Assert.Equal(1, child.Depth);
        var broken = (await engine.Runtime.WaitAsync((string)parent.Node("also").Output!["instanceId"]!, TimeSpan.FromSeconds(30)))!;
        Assert.Equal(InstanceStatus.Failed, broken.Status);
        Assert.Equal(InstanceStatus.Succeeded, await engine.Runtime.GetStatusAsync(parent.Id));
        var journal = await engine.Runtime.GetJournalAsync(parent.Id);
        Assert.Contains(journal, j => j.NodeId == "send" && j.Message is { } m && m.Contains($"as instance {childId}, without waiting", StringComparison.Ordinal));
    }

    //   fanout: each (foreach [1, 2, 3], body: workflow slow { n: item }, wait false)
    [Theory]
    [MemberData(nameof(TestEngine.Providers), MemberType = typeof(TestEngine))]
    public async Task ForEach_DispatchingAChildPerItem_FinishesWithTheirIds_AndEachChildRuns(string provider)
    {
        await using var engine = await TestEngine.StartAsync(provider);
        await engine.Runtime.SaveDefinitionAsync(Slow);

        var view = await engine.RunAsync("""
            { "id": "fanout", "nodes": [ { "id": "each", "type": "foreach", "inputs": { "items": [1, 2, 3],
                "body": { "type": "workflow", "inputs": { "definitionId": "slow", "input": { "n": "{{ item }}" }, "wait": false } } } } ], "edges": [] }
            """);

        view.AssertSucceeded();
        var ids = view.Node("each").Output!.AsArray().Select(o => (string)o!["instanceId"]!).ToList();
        Assert.Equal(3, ids.Distinct().Count());
        await ReleaseAsync(engine, 3);
        var outputs = new List<int>();
        foreach (var id in ids)
        {
            var child = (await engine.Runtime.WaitAsync(id, TimeSpan.FromSeconds(30)))!;
            child.AssertSucceeded();
            outputs.Add(child.Output!.GetValue<int>());
        }

        Assert.Equal([1, 2, 3], outputs);
    }

    [Fact]
    public async Task Workflow_WaitNotABoolean_FailsTheNodeNamingIt()
    {
        await using var engine = await TestEngine.StartAsync(TestEngine.Sqlite);
        await engine.Runtime.SaveDefinitionAsync(Slow);

        var view = await engine.RunAsync("""
            { "id": "odd", "nodes": [ { "id": "send", "type": "workflow", "inputs": { "definitionId": "slow", "wait": "{{ 'maybe' }}" } } ], "edges": [] }
            """);

        Assert.Equal(InstanceStatus.Failed, view.Status);
        Assert.Contains("'wait' is \"maybe\"; use true or false", view.Error, StringComparison.Ordinal);
        Assert.Single(await engine.Runtime.ListInstancesAsync());
    }

    /// <summary>Sends the event the dispatched children wait for once <paramref name="count"/> of them wait.</summary>
    private static async Task ReleaseAsync(TestEngine engine, int count)
    {
        var store = engine.Services.GetRequiredService<TaskFlow.Engine.Persistence.EngineStore>();
        for (var i = 0; i < 400 && (await store.ListWaitsAsync(null, "release", 10)).Count < count; i++)
        {
            await Task.Delay(25);
        }

        Assert.Equal(count, (await store.DeliverEventAsync("release", null, null, null)).Count);
    }
}
