using System.Text.Json.Nodes;
using TaskFlow.Core.Model;
using TaskFlow.Core.Scheduling;
using TaskFlow.Engine.Tests.Infrastructure;

namespace TaskFlow.Engine.Tests.Scheduling;

public sealed class ForEachTests
{
    //  make-list ──> each(foreach: item * 10, max 3 at once) ──> total
    [Theory]
    [MemberData(nameof(TestEngine.Providers), MemberType = typeof(TestEngine))]
    public async Task ForEach_GeneratedList_RunsEveryItemInOrderWithBoundedParallelism(string provider)
    {
        await using var engine = await TestEngine.StartAsync(provider);
        var view = await engine.RunAsync("""
            {
              "id": "foreach",
              "nodes": [
                { "id": "make-list", "type": "transform", "inputs": { "value": "{{ range(1, input.count) }}" } },
                { "id": "each", "type": "foreach", "inputs": {
                    "items": "{{ nodes[\"make-list\"].output }}",
                    "maxParallelism": 3,
                    "body": { "type": "transform", "inputs": { "value": "{{ item * 10 + index }}" } } } },
                { "id": "total", "type": "transform", "inputs": { "value": "{{ length(nodes.each.output) }}" } }
              ],
              "edges": [ { "from": "make-list", "to": "each" }, { "from": "each", "to": "total" } ]
            }
            """, new JsonObject { ["count"] = 12 });

        view.AssertSucceeded();
        var outputs = view.Node("each").Output!.AsArray().Select(n => n!.GetValue<int>()).ToArray();
        Assert.Equal(Enumerable.Range(1, 12).Select(i => (i * 10) + (i - 1)), outputs);
        Assert.Equal(12, view.Node("total").Output!.GetValue<int>());

        // Never more than three iterations between their start and their success.
        var journal = await engine.Runtime.GetJournalAsync(view.Id);
        var open = 0;
        var most = 0;
        foreach (var entry in journal.Where(j => j.NodeId?.StartsWith("each[", StringComparison.Ordinal) == true))
        {
            open += entry.Type switch { JournalEventType.NodeStarted => 1, JournalEventType.NodeSucceeded => -1, _ => 0 };
            most = Math.Max(most, open);
        }

        Assert.InRange(most, 1, 3);
    }

    [Theory]
    [MemberData(nameof(TestEngine.Providers), MemberType = typeof(TestEngine))]
    public async Task ForEach_ItemFails_ForEachAndInstanceFailNamingTheItem(string provider)
    {
        await using var engine = await TestEngine.StartAsync(provider);
        var view = await engine.RunAsync("""
            {
              "id": "foreach-fail",
              "nodes": [
                { "id": "each", "type": "foreach", "inputs": {
                    "items": [1, 2, 3],
                    "maxParallelism": 1,
                    "body": { "type": "transform", "inputs": { "value": "{{ item == 2 ? input.missing.deeper * 2 : item }}" } } } }
              ],
              "edges": []
            }
            """);

        Assert.Equal(InstanceStatus.Failed, view.Status);
        Assert.Equal(NodeStatus.Failed, view.StatusOf("each"));
        Assert.Contains("Item 1 failed", view.Node("each").Error);
        Assert.Equal(NodeStatus.Succeeded, view.StatusOf("each[0]"));
    }

    [Theory]
    [MemberData(nameof(TestEngine.Providers), MemberType = typeof(TestEngine))]
    public async Task ForEach_EmptyList_SucceedsWithEmptyOutput(string provider)
    {
        await using var engine = await TestEngine.StartAsync(provider);
        var view = await engine.RunAsync("""
            { "id": "foreach-empty", "nodes": [ { "id": "each", "type": "foreach", "inputs": { "items": [], "body": { "type": "noop" } } } ], "edges": [] }
            """);

        view.AssertSucceeded();
        Assert.Empty(view.Node("each").Output!.AsArray());
    }
}
