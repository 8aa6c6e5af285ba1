using System.Text.Json.Nodes;
using TaskFlow.Core.Model;
using TaskFlow.Core.Validation;
using TaskFlow.Engine.Tests.Infrastructure;

namespace TaskFlow.Engine.Tests.Scheduling;

public sealed class ChildWorkflowTests
{
    // countdown(level): check ─[level > 0]─> recurse: countdown(level - 1) ──> result
    //                         └[level == 0]─> leaf ───────────────────────────┘
    private const string Countdown = """
        {
          "id": "countdown",
          "inputs": { "level": { "type": "integer", "default": 3 } },
          "nodes": [
            { "id": "check", "type": "noop" },
            { "id": "recurse", "type": "workflow", "inputs": { "definitionId": "countdown", "input": { "level": "{{ input.level - 1 }}" } } },
            { "id": "leaf", "type": "transform", "inputs": { "value": { "depth": "{{ instance.depth }}" } } },
            { "id": "result", "type": "transform", "inputs": { "value": "{{ nodes.recurse.output ?? nodes.leaf.output }}" } }
          ],
          "edges": [
            { "from": "check", "to": "recurse", "condition": "input.level > 0" },
            { "from": "check", "to": "leaf", "condition": "input.level <= 0" },
            { "from": "recurse", "to": "result" },
            { "from": "leaf", "to": "result" }
          ],
          "output": "{{ nodes.result.output }}"
        }
        """;

    [Theory]
    [MemberData(nameof(TestEngine.Providers), MemberType = typeof(TestEngine))]
    public async Task Workflow_RecursesThreeLevels_OutputComesBackUp(string provider)
    {
        await using var engine = await TestEngine.StartAsync(provider);
        var view = await engine.RunAsync(Countdown, new JsonObject { ["level"] = 3 });

        view.AssertSucceeded();
        Assert.Equal(3, view.Output!["depth"]!.GetValue<int>());
        var children = await engine.Runtime.ListInstancesAsync();
        Assert.Equal(4, children.Count);
        Assert.Equal([0, 1, 2, 3], children.Select(c => c.Depth).Order());
        Assert.All(children, c => Assert.Equal(InstanceStatus.Succeeded, c.Status));
    }

    [Theory]
    [MemberData(nameof(TestEngine.Providers), MemberType = typeof(TestEngine))]
    public async Task Workflow_RecursionBeyondMaxDepth_FailsWithClearError(string provider)
    {
        await using var engine = await TestEngine.StartAsync(provider, o => o.Limits = new WorkflowLimits { MaxDepth = 2 });
        var view = await engine.RunAsync(Countdown, new JsonObject { ["level"] = 5 });

        Assert.Equal(InstanceStatus.Failed, view.Status);
        Assert.Contains("max_depth (2)", view.Error);
        var all = await engine.Runtime.ListInstancesAsync();
        Assert.Equal(3, all.Count);
        Assert.All(all, i => Assert.Equal(InstanceStatus.Failed, i.Status));
    }

    [Theory]
    [MemberData(nameof(TestEngine.Providers), MemberType = typeof(TestEngine))]
    public async Task Workflow_ChildFails_ParentNodeFailsWithChildError(string provider)
    {
        await using var engine = await TestEngine.StartAsync(provider);
        await engine.Runtime.SaveDefinitionAsync("""
            { "id": "broken", "nodes": [ { "id": "boom", "type": "fail", "inputs": { "message": "disk full" } } ], "edges": [] }
            """);
        var view = await engine.RunAsync("""
            { "id": "parent", "nodes": [ { "id": "call", "type": "workflow", "inputs": { "definitionId": "broken" } } ], "edges": [] }
            """);

        Assert.Equal(InstanceStatus.Failed, view.Status);
        Assert.Contains("disk full", view.Node("call").Error);
    }
    //   parent: run (workflow countdown) ──> send (workflow countdown, wait false)
    [Theory]
    [MemberData(nameof(TestEngine.Providers), MemberType = typeof(TestEngine))]
    public async Task Children_TakeTheParentsCorrelationId_AtEveryLevel_AndFoundByIt(string provider)
    {
        await using var engine = await TestEngine.StartAsync(provider);
        await engine.Runtime.SaveDefinitionAsync(Countdown);
        await engine.Runtime.SaveDefinitionAsync("""
            { "id": "parent", "nodes": [
                { "id": "run", "type": "workflow", "inputs": { "definitionId": "countdown", "input": { "level": 2 } } },
                { "id": "send", "type": "workflow", "inputs": { "definitionId": "countdown", "input": { "level": 0 }, "wait": false } } ],
              "edges": [ { "from": "run", "to": "send" } ] }
            """);

        var (id, _) = await engine.Runtime.StartAsync("parent", null, null, null, "order-17");
        (await engine.Runtime.WaitAsync(id, TimeSpan.FromSeconds(30)))!.AssertSucceeded();
        var uncorrelated = await engine.Runtime.StartAsync("countdown", new JsonObject { ["level"] = 1 });
        (await engine.Runtime.WaitAsync(uncorrelated, TimeSpan.FromSeconds(30)))!.AssertSucceeded();

        // parent, countdown 2 -> 1 -> 0, and the dispatched countdown 0: five instances under the id.
        var all = await engine.Runtime.ListInstancesAsync(take: 100);
        foreach (var instance in all)
        {
            (await engine.Runtime.WaitAsync(instance.Id, TimeSpan.FromSeconds(30)))!.AssertSucceeded();
        }

        var views = await Task.WhenAll(all.Select(async i => (await engine.Runtime.GetInstanceAsync(i.Id))!));
        Assert.Equal(5, views.Count(v => v.CorrelationId == "order-17"));
        Assert.Equal(2, views.Count(v => v.CorrelationId is null));
        Assert.Contains(views, v => v.CorrelationId == "order-17" && v.Depth == 3);
    }

    [Theory]
    [MemberData(nameof(TestEngine.Providers), MemberType = typeof(TestEngine))]
    public async Task Child_WithItsOwnCorrelationId_CarriesThatOne(string provider)
    {
        await using var engine = await TestEngine.StartAsync(provider);
        await engine.Runtime.SaveDefinitionAsync(Countdown);

        var view = await engine.RunAsync("""
            { "id": "parent", "nodes": [
                { "id": "run", "type": "workflow", "inputs": { "definitionId": "countdown", "input": { "level": 0 }, "correlationId": "{{ 'item-' + input.n }}" } } ], "edges": [] }
            """, new JsonObject { ["n"] = 4 });

        view.AssertSucceeded();
        var child = Assert.Single(await engine.Runtime.ListInstancesAsync(take: 10), i => i.Depth == 1);
        Assert.Equal("item-4", (await engine.Runtime.GetInstanceAsync(child.Id))!.CorrelationId);
        Assert.Null((await engine.Runtime.GetInstanceAsync(view.Id))!.CorrelationId);
    }
}
