using TaskFlow.Core.Events;
using TaskFlow.Core.Serialization;

namespace TaskFlow.Core.Tests.Events;

public sealed class EventRetentionTests
{
    [Fact]
    public void KeepFor_LongestEarlierOfNodesWaitingForTheName()
    {
        var definitions = new[]
        {
            WorkflowJson.Parse("""{ "id": "a", "nodes": [ { "id": "w", "type": "event", "inputs": { "name": "paid", "earlier": "5m" } } ] }"""),
            WorkflowJson.Parse("""{ "id": "b", "nodes": [ { "id": "w", "type": "event", "inputs": { "name": "paid", "earlier": "1h" } }, { "id": "x", "type": "event", "inputs": { "name": "shipped" } } ] }"""),
            WorkflowJson.Parse("""{ "id": "c", "nodes": [ { "id": "w", "type": "event", "inputs": { "name": "{{ input.event }}", "earlier": "2h" } } ] }"""),
        };

        Assert.Equal(TimeSpan.FromHours(1), EventRetention.KeepFor("paid", definitions));
        Assert.Null(EventRetention.KeepFor("shipped", definitions));
        Assert.Null(EventRetention.KeepFor("unknown", definitions));
    }
}
