using System.Text.Json.Nodes;
using TaskFlow.Core.Model;
using TaskFlow.Core.Scheduling;
using TaskFlow.Engine.Tests.Infrastructure;

namespace TaskFlow.Engine.Tests.Scheduling;

public sealed class SequenceTests
{
    //   a ──> b ──> c
    [Theory]
    [MemberData(nameof(TestEngine.Providers), MemberType = typeof(TestEngine))]
    public async Task Run_ThreeStepChain_RunsInOrderAndPassesOutputs(string provider)
    {
        await using var engine = await TestEngine.StartAsync(provider);
        var view = await engine.RunAsync("""
            {
              "id": "chain",
              "inputs": { "name": { "type": "string", "required": true } },
              "nodes": [
                { "id": "a", "type": "transform", "inputs": { "value": { "greeting": "hello {{ input.name }}" } } },
                { "id": "b", "type": "transform", "inputs": { "value": "{{ nodes.a.output.greeting }}!" } },
                { "id": "c", "type": "transform", "inputs": { "value": "{{ length(nodes.b.output) }}" } }
              ],
              "edges": [ { "from": "a", "to": "b" }, { "from": "b", "to": "c" } ]
            }
            """, new JsonObject { ["name"] = "flow" });

        view.AssertSucceeded();
        Assert.Equal("hello flow!", view.Node("b").Output!.GetValue<string>());
        Assert.Equal(11, view.Node("c").Output!.GetValue<int>());
        Assert.Equal(11, view.Output!["c"]!.GetValue<int>());

        var journal = await engine.Runtime.GetJournalAsync(view.Id);
        var order = journal.Where(j => j.Type == JournalEventType.NodeSucceeded).Select(j => j.NodeId!).ToArray();
        Assert.Equal(["a", "b", "c"], order);
        Assert.Equal(JournalEventType.InstanceStarted, journal[0].Type);
        Assert.Equal(JournalEventType.InstanceSucceeded, journal[^1].Type);
    }
}
