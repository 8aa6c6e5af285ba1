using TaskFlow.Core.Model;
using TaskFlow.Engine.Tests.Infrastructure;

namespace TaskFlow.Engine.Tests.Decomposition;

public sealed class AggregateActivityTests
{
    //         ┌─> slow (sleep 600ms) ─┐
    //  start ─┤                       ├─> join(WaitAll) ─> aggregate(parallel)
    //         └─> fast (sleep 10ms) ──┘
    [Theory]
    [MemberData(nameof(TestEngine.Providers), MemberType = typeof(TestEngine))]
    public async Task Parallel_ListsTheResultsInTheOrderTheNodesFinished(string provider)
    {
        await using var engine = await TestEngine.StartAsync(provider);
        var view = await engine.RunAsync("""
            { "id": "race", "nodes": [
                { "id": "start", "type": "noop" },
                { "id": "slow", "type": "sleep", "inputs": { "duration": "600ms" } },
                { "id": "fast", "type": "sleep", "inputs": { "duration": "10ms" } },
                { "id": "join", "type": "join", "inputs": { "mode": "WaitAll" } },
                { "id": "aggregate", "type": "aggregate", "inputs": {
                    "mode": "parallel",
                    "results": [
                      { "id": "slow", "status": "{{ nodes.slow.status }}", "output": "{{ nodes.slow.output }}", "finishedAt": "{{ nodes.slow.finishedAt }}" },
                      { "id": "fast", "status": "{{ nodes.fast.status }}", "output": "{{ nodes.fast.output }}", "finishedAt": "{{ nodes.fast.finishedAt }}" } ] } } ],
              "edges": [ { "from": "start", "to": "slow" }, { "from": "start", "to": "fast" },
                         { "from": "slow", "to": "join" }, { "from": "fast", "to": "join" }, { "from": "join", "to": "aggregate" } ],
              "output": "{{ nodes.aggregate.output }}" }
            """);

        view.AssertSucceeded();
        var output = view.Output!;
        Assert.Equal(["fast", "slow"], output["results"]!.AsArray().Select(r => r!["id"]!.GetValue<string>()));
        Assert.True(output["succeeded"]!.GetValue<bool>());
        Assert.Equal("All 2 subtasks succeeded.", output["summary"]!.GetValue<string>());
    }

    //  ok (noop) ─────────────┐
    //                         ├─> join(WaitAll) ─> aggregate(weighted, weights 3:1)
    //  bad (fail) ─[error]────┘
    [Theory]
    [MemberData(nameof(TestEngine.Providers), MemberType = typeof(TestEngine))]
    public async Task Weighted_AFailedSubtaskRoutedByItsErrorEdge_LowersTheScore(string provider)
    {
        await using var engine = await TestEngine.StartAsync(provider);
        var view = await engine.RunAsync("""
            { "id": "partial", "nodes": [
                { "id": "ok", "type": "transform", "inputs": { "value": 42 } },
                { "id": "bad", "type": "fail", "inputs": { "message": "no disk" } },
                { "id": "join", "type": "join", "inputs": { "mode": "WaitAll" } },
                { "id": "aggregate", "type": "aggregate", "inputs": {
                    "mode": "weighted",
                    "weights": [3, 1],
                    "results": [
                      { "id": "ok", "status": "{{ nodes.ok.status }}", "output": "{{ nodes.ok.output }}" },
                      { "id": "bad", "status": "{{ nodes.bad.status }}", "error": "{{ nodes.bad.error }}" } ] } } ],
              "edges": [ { "from": "ok", "to": "join" }, { "from": "bad", "fromPort": "error", "to": "join" }, { "from": "join", "to": "aggregate" } ],
              "output": "{{ nodes.aggregate.output }}" }
            """);

        view.AssertSucceeded();
        var output = view.Output!;
        Assert.False(output["succeeded"]!.GetValue<bool>());
        Assert.Equal(0.75, output["score"]!.GetValue<double>(), 9);
        Assert.Equal("failed", output["results"]![1]!["status"]!.GetValue<string>());
        Assert.Equal("no disk", output["results"]![1]!["error"]!.GetValue<string>());
        Assert.Equal(42, output["results"]![0]!["output"]!.GetValue<int>());
        Assert.Equal("1 of 2 subtasks succeeded; failed: bad. Weighted score 0.75.", output["summary"]!.GetValue<string>());
    }

    [Theory]
    [MemberData(nameof(TestEngine.Providers), MemberType = typeof(TestEngine))]
    public async Task InputsThatCannotBeRead_FailTheNodeWithoutRetrying_SayingWhatIsWrong(string provider)
    {
        await using var engine = await TestEngine.StartAsync(provider);
        var view = await engine.RunAsync("""
            { "id": "broken", "nodes": [
                { "id": "aggregate", "type": "aggregate", "inputs": { "mode": "weighted", "results": [ { "id": "a", "status": "maybe" } ], "weights": [-2] } } ] }
            """);

        Assert.Equal(InstanceStatus.Failed, view.Status);
        var error = view.Node("aggregate").Error!;
        Assert.Contains("results[0].status is 'maybe', which is not a status", error, StringComparison.Ordinal);
        Assert.Equal(1, view.Node("aggregate").Attempt);
    }
}
