using TaskFlow.Core.Model;
using TaskFlow.Core.Scheduling;
using TaskFlow.Engine.Tests.Infrastructure;

namespace TaskFlow.Engine.Tests.Scheduling;

/// <summary>Loop edges on the engine, both stores: a part of the graph runs again while the loop edge is taken.</summary>
public sealed class LoopTests
{
    //   start ──> count(n + 1) ──> wait(sleep) ──> check ──[n >= 5]──> done
    //               ^                                │
    //               └──────────[n < 5, loop]─────────┘
    private const string PollFiveTimes = """
        {
          "id": "poll-five-times",
          "variables": { "n": 0 },
          "nodes": [
            { "id": "start", "type": "noop" },
            { "id": "count", "type": "setVariable", "inputs": { "name": "n", "value": "{{ vars.n + 1 }}" } },
            { "id": "wait", "type": "sleep", "inputs": { "duration": "5ms" } },
            { "id": "check", "type": "transform", "inputs": { "value": { "round": "{{ vars.n }}" } } },
            { "id": "done", "type": "transform", "inputs": { "value": { "rounds": "{{ vars.n }}", "last": "{{ nodes.check.output.round }}" } } }
          ],
          "edges": [
            { "from": "start", "to": "count" }, { "from": "count", "to": "wait" }, { "from": "wait", "to": "check" },
            { "from": "check", "to": "done", "condition": "vars.n >= 5" },
            { "from": "check", "to": "count", "condition": "vars.n < 5", "loop": true, "maxIterations": 10 }
          ]
        }
        """;

    [Theory]
    [MemberData(nameof(TestEngine.Providers), MemberType = typeof(TestEngine))]
    public async Task LoopEdge_RunsTheLoopUntilItsConditionFails_ThenTheExit(string provider)
    {
        await using var engine = await TestEngine.StartAsync(provider);

        var view = await engine.RunAsync(PollFiveTimes);

        view.AssertSucceeded();
        Assert.Equal(5, view.Node("done").Output!["rounds"]!.GetValue<int>());
        Assert.Equal(5, view.Node("done").Output!["last"]!.GetValue<int>());
        var journal = await engine.Runtime.GetJournalAsync(view.Id);

        // Each node of the loop ran once per round, as the next attempt; the exit once, at the end.
        Assert.Equal([1, 2, 3, 4, 5], journal.Where(j => j.NodeId == "count" && j.Type == JournalEventType.NodeSucceeded).Select(j => j.Attempt));
        Assert.Equal(5, journal.Count(j => j.NodeId == "wait" && j.Type == JournalEventType.NodeSucceeded));
        Assert.Equal(4, journal.Count(j => j.Type == JournalEventType.LoopedBack));
        Assert.Equal(4, journal.Count(j => j.NodeId == "done" && j.Type == JournalEventType.NodeSkipped));
        Assert.Single(journal, j => j.NodeId == "done" && j.Type == JournalEventType.NodeSucceeded);
        Assert.Single(journal, j => j.NodeId == "start" && j.Type == JournalEventType.NodeSucceeded);
        Assert.Equal(NodeStatus.Succeeded, view.StatusOf("count"));
    }

    [Theory]
    [MemberData(nameof(TestEngine.Providers), MemberType = typeof(TestEngine))]
    public async Task LoopEdge_TakenMoreThanMaxIterations_FailsTheInstanceSayingSo(string provider)
    {
        await using var engine = await TestEngine.StartAsync(provider);

        var view = await engine.RunAsync(PollFiveTimes.Replace("\"maxIterations\": 10", "\"maxIterations\": 2", StringComparison.Ordinal));

        Assert.Equal(InstanceStatus.Failed, view.Status);
        Assert.Contains("Loop edge 'check->count' was taken 2 times, its maxIterations (2)", view.Error, StringComparison.Ordinal);
        var journal = await engine.Runtime.GetJournalAsync(view.Id);
        Assert.Equal(3, journal.Count(j => j.NodeId == "count" && j.Type == JournalEventType.NodeSucceeded));
    }
}
