using TaskFlow.Core.Model;
using TaskFlow.Core.Scheduling;
using TaskFlow.Engine.Tests.Infrastructure;
using TaskFlow.Engine.Tests.Scheduling;

namespace TaskFlow.Engine.Tests.Runtime;

public sealed class RetryNodeTests
{
    //  start ─┬─> flaky(fails once, no retries) ─┬─> join(WaitAll)
    //         └─> slow(sleep 1500ms) ────────────┘
    // flaky fails the instance while slow is still running; the retry runs flaky again and
    // queues slow again, so the join completes.
    private const string ForkWithFlakyBranch = """
        { "id": "fork-flaky", "nodes": [
            { "id": "start", "type": "noop" },
            { "id": "flaky", "type": "test.flaky", "inputs": { "failures": 1, "key": "retry-node" } },
            { "id": "slow", "type": "sleep", "inputs": { "duration": "1500ms" } },
            { "id": "join", "type": "join", "inputs": { "mode": "WaitAll" } } ],
          "edges": [ { "from": "start", "to": "flaky" }, { "from": "start", "to": "slow" },
                     { "from": "flaky", "to": "join" }, { "from": "slow", "to": "join" } ] }
        """;

    [Theory]
    [MemberData(nameof(TestEngine.Providers), MemberType = typeof(TestEngine))]
    public async Task RetryNode_FailedBranch_RunsAgainAndRequeuesWithdrawnWork(string provider)
    {
        await using var engine = await TestEngine.StartAsync(provider, activities: b => b.AddActivity<FailureTests.FlakyActivity>());
        var failed = await engine.RunAsync(ForkWithFlakyBranch);
        Assert.Equal(InstanceStatus.Failed, failed.Status);
        Assert.Equal(NodeStatus.Failed, failed.StatusOf("flaky"));
        Assert.Contains(failed.StatusOf("slow"), new[] { NodeStatus.Scheduled, NodeStatus.Running });

        await engine.Runtime.RetryNodeAsync(failed.Id, "flaky");
        var view = await engine.Runtime.WaitAsync(failed.Id, TimeSpan.FromSeconds(30));

        Assert.NotNull(view);
        view.AssertSucceeded();
        Assert.Null(view.Error);
        Assert.Equal(2, view.Node("flaky").Attempt);
        Assert.Equal(1, view.Node("slow").Attempt);
        Assert.Equal(NodeStatus.Succeeded, view.StatusOf("join"));
        var journal = await engine.Runtime.GetJournalAsync(failed.Id);
        Assert.Contains(journal, j => j.Type == JournalEventType.NodeRetried && j.NodeId == "flaky" && j.Message!.Contains("Retried by request as attempt 2", StringComparison.Ordinal));
        Assert.Contains(journal, j => j.Type == JournalEventType.NodeScheduled && j.NodeId == "slow" && j.Message == "Queued again: the instance was retried.");
        Assert.Single(journal, j => j.Type == JournalEventType.InstanceSucceeded);
    }

    //  items(transform [1,2,3]) ──> each(foreach body test.flaky, fails once) ──> end
    [Theory]
    [MemberData(nameof(TestEngine.Providers), MemberType = typeof(TestEngine))]
    public async Task RetryNode_FailedForEach_RunsItsListAgain(string provider)
    {
        await using var engine = await TestEngine.StartAsync(provider, activities: b => b.AddActivity<FailureTests.FlakyActivity>());
        var failed = await engine.RunAsync("""
            { "id": "each-flaky", "nodes": [
                { "id": "each", "type": "foreach", "inputs": { "items": [1, 2, 3], "maxParallelism": 1,
                  "body": { "type": "test.flaky", "inputs": { "failures": 1, "key": "retry-foreach" } } } },
                { "id": "end", "type": "noop" } ],
              "edges": [ { "from": "each", "to": "end" } ] }
            """);
        Assert.Equal(InstanceStatus.Failed, failed.Status);
        var iteration = Assert.Throws<InvalidOperationException>(() => engine.Runtime.RetryNodeAsync(failed.Id, "each[0]").GetAwaiter().GetResult());
        Assert.Equal("'each[0]' is one item of foreach 'each'; retry 'each', which runs its list again.", iteration.Message);

        await engine.Runtime.RetryNodeAsync(failed.Id, "each");
        var view = await engine.Runtime.WaitAsync(failed.Id, TimeSpan.FromSeconds(30));

        Assert.NotNull(view);
        view.AssertSucceeded();
        Assert.Equal(2, view.Node("each").Attempt);
        Assert.Equal(3, view.Node("each").Output!.AsArray().Count);
        Assert.Equal(NodeStatus.Succeeded, view.StatusOf("end"));
    }

    [Theory]
    [MemberData(nameof(TestEngine.Providers), MemberType = typeof(TestEngine))]
    public async Task RetryNode_Refusals_NameTheProblemAndChangeNothing(string provider)
    {
        await using var engine = await TestEngine.StartAsync(provider);
        var failed = await engine.RunAsync("""
            { "id": "boom", "nodes": [ { "id": "ok", "type": "noop" }, { "id": "boom", "type": "fail", "inputs": { "message": "no route" } } ],
              "edges": [ { "from": "ok", "to": "boom" } ] }
            """);
        var succeeded = await engine.RunAsync("""{ "id": "fine", "nodes": [ { "id": "ok", "type": "noop" } ], "edges": [] }""");

        async Task<string> Refusal(string instanceId, string nodeId) =>
            (await Assert.ThrowsAsync<InvalidOperationException>(() => engine.Runtime.RetryNodeAsync(instanceId, nodeId))).Message;

        Assert.Equal("Node 'ok' did not fail (succeeded); failed: 'boom'.", await Refusal(failed.Id, "ok"));
        Assert.Equal("The workflow has no node 'nope'.", await Refusal(failed.Id, "nope"));
        Assert.Equal("Only a failed instance can be retried; this one is succeeded.", await Refusal(succeeded.Id, "ok"));
        var missing = await Assert.ThrowsAsync<KeyNotFoundException>(() => engine.Runtime.RetryNodeAsync("no-such-instance", "boom"));
        Assert.Equal("Instance 'no-such-instance' is not stored.", missing.Message);

        var after = await engine.Runtime.GetInstanceAsync(failed.Id);
        Assert.Equal(InstanceStatus.Failed, after!.Status);
        Assert.Equal("Node 'boom' failed: no route", after.Error);
        Assert.Equal(1, after.Node("boom").Attempt);
    }

    [Theory]
    [MemberData(nameof(TestEngine.Providers), MemberType = typeof(TestEngine))]
    public async Task RetryNode_AlwaysFailingNode_FailsAgainAsAttemptTwo(string provider)
    {
        await using var engine = await TestEngine.StartAsync(provider);
        var failed = await engine.RunAsync("""{ "id": "boom", "nodes": [ { "id": "boom", "type": "fail", "inputs": { "message": "still broken" } } ], "edges": [] }""");

        await engine.Runtime.RetryNodeAsync(failed.Id, "boom");
        var view = await engine.Runtime.WaitAsync(failed.Id, TimeSpan.FromSeconds(30));

        Assert.Equal(InstanceStatus.Failed, view!.Status);
        Assert.Equal(2, view.Node("boom").Attempt);
        var journal = await engine.Runtime.GetJournalAsync(failed.Id);
        Assert.Equal(2, journal.Count(j => j.Type == JournalEventType.InstanceFailed));
    }
}
