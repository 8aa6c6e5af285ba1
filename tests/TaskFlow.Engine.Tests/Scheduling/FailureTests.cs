using System.Collections.Concurrent;
using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using TaskFlow.Core.Activities;
using TaskFlow.Core.Model;
using TaskFlow.Core.Scheduling;
using TaskFlow.Engine.Activities;
using TaskFlow.Engine.Tests.Infrastructure;

namespace TaskFlow.Engine.Tests.Scheduling;

public sealed class FailureTests
{
    //  flaky(fails twice, retry 3 attempts, 100ms backoff) ──> after
    [Theory]
    [MemberData(nameof(TestEngine.Providers), MemberType = typeof(TestEngine))]
    public async Task Retry_FailsTwiceThenSucceeds_ThirdAttemptCountsWithBackoff(string provider)
    {
        await using var engine = await TestEngine.StartAsync(provider, activities: b => b.AddActivity<FlakyActivity>());
        var view = await engine.RunAsync("""
            { "id": "flaky", "nodes": [
                { "id": "flaky", "type": "test.flaky", "inputs": { "failures": 2, "key": "retry-ok" }, "retry": { "maxAttempts": 3, "delay": "100ms", "factor": 2 } },
                { "id": "after", "type": "noop" } ],
              "edges": [ { "from": "flaky", "to": "after" } ] }
            """);

        view.AssertSucceeded();
        Assert.Equal(3, view.Node("flaky").Attempt);
        var journal = await engine.Runtime.GetJournalAsync(view.Id);
        var retries = journal.Where(j => j.Type == JournalEventType.NodeRetried).ToArray();
        Assert.Equal(2, retries.Length);
        Assert.Contains("Retrying in 0.1s", retries[0].Message);
        Assert.Contains("Retrying in 0.2s", retries[1].Message);
        var started = journal.Where(j => j.NodeId == "flaky" && j.Type == JournalEventType.NodeStarted).Select(j => j.At).ToArray();
        Assert.True(started[2] - started[1] >= TimeSpan.FromMilliseconds(195));
    }

    [Theory]
    [MemberData(nameof(TestEngine.Providers), MemberType = typeof(TestEngine))]
    public async Task Retry_Exhausted_InstanceFailsWithLastError(string provider)
    {
        await using var engine = await TestEngine.StartAsync(provider, activities: b => b.AddActivity<FlakyActivity>());
        var view = await engine.RunAsync("""
            { "id": "flaky", "nodes": [ { "id": "flaky", "type": "test.flaky", "inputs": { "failures": 5, "key": "retry-exhausted" }, "retry": { "maxAttempts": 2, "delay": "10ms" } } ], "edges": [] }
            """);

        Assert.Equal(InstanceStatus.Failed, view.Status);
        Assert.Equal("Node 'flaky' failed: attempt 2 failed on purpose", view.Error);
    }

    //  boom(fail) ─[error]─> handle ──> end
    [Theory]
    [MemberData(nameof(TestEngine.Providers), MemberType = typeof(TestEngine))]
    public async Task Fail_WithErrorEdge_FailureIsHandledAndInstanceSucceeds(string provider)
    {
        await using var engine = await TestEngine.StartAsync(provider);
        var view = await engine.RunAsync("""
            { "id": "handled", "nodes": [
                { "id": "boom", "type": "fail", "inputs": { "message": "no route" } },
                { "id": "handle", "type": "transform", "inputs": { "value": "handled: {{ nodes.boom.error }}" } },
                { "id": "normal", "type": "noop" } ],
              "edges": [ { "from": "boom", "to": "handle", "fromPort": "error" }, { "from": "boom", "to": "normal" } ] }
            """);

        view.AssertSucceeded();
        Assert.Equal(NodeStatus.Failed, view.StatusOf("boom"));
        Assert.Equal("handled: no route", view.Node("handle").Output!.GetValue<string>());
        Assert.Equal(NodeStatus.Skipped, view.StatusOf("normal"));
    }

    [Theory]
    [MemberData(nameof(TestEngine.Providers), MemberType = typeof(TestEngine))]
    public async Task Fail_WithoutHandler_FailsInstanceAndSkipsNothingElse(string provider)
    {
        await using var engine = await TestEngine.StartAsync(provider);
        var view = await engine.RunAsync("""
            { "id": "unhandled", "nodes": [ { "id": "boom", "type": "fail", "inputs": { "message": "no route" } }, { "id": "never", "type": "noop" } ],
              "edges": [ { "from": "boom", "to": "never" } ] }
            """);

        Assert.Equal(InstanceStatus.Failed, view.Status);
        Assert.Equal("Node 'boom' failed: no route", view.Error);
        Assert.Equal(NodeStatus.Pending, view.StatusOf("never"));
        var journal = await engine.Runtime.GetJournalAsync(view.Id);
        Assert.Equal(JournalEventType.InstanceFailed, journal[^1].Type);
    }

    [Theory]
    [MemberData(nameof(TestEngine.Providers), MemberType = typeof(TestEngine))]
    public async Task Timeout_ActivityTooSlow_AttemptFailsWithTimeout(string provider)
    {
        await using var engine = await TestEngine.StartAsync(provider);
        var view = await engine.RunAsync("""
            { "id": "slow", "nodes": [ { "id": "slow", "type": "sleep", "inputs": { "duration": "10s" }, "timeout": "200ms", "retry": { "maxAttempts": 2, "delay": "10ms" } } ], "edges": [] }
            """);

        Assert.Equal(InstanceStatus.Failed, view.Status);
        Assert.Equal("Node 'slow' failed: Timed out after 0.2s.", view.Error);
        Assert.Equal(2, view.Node("slow").Attempt);
    }

    [Theory]
    [MemberData(nameof(TestEngine.Providers), MemberType = typeof(TestEngine))]
    public async Task Cancel_RunningInstance_StopsWorkAndJournals(string provider)
    {
        await using var engine = await TestEngine.StartAsync(provider);
        await engine.Runtime.SaveDefinitionAsync("""
            { "id": "long", "nodes": [ { "id": "wait", "type": "delay", "inputs": { "duration": "1h" } }, { "id": "after", "type": "noop" } ],
              "edges": [ { "from": "wait", "to": "after" } ] }
            """);
        var id = await engine.Runtime.StartAsync("long");
        await Task.Delay(300);

        Assert.True(await engine.Runtime.CancelAsync(id));
        Assert.False(await engine.Runtime.CancelAsync(id));

        var view = await engine.Runtime.GetInstanceAsync(id);
        Assert.Equal(InstanceStatus.Cancelled, view!.Status);
        Assert.Equal(NodeStatus.Cancelled, view.StatusOf("wait"));
        var journal = await engine.Runtime.GetJournalAsync(id);
        Assert.Equal(JournalEventType.InstanceCancelled, journal[^1].Type);
    }

    /// <summary>Fails its first N attempts, counting per key (a test double for an unreliable tool).</summary>
    [Activity("test.flaky", Category = "Test", Description = "Fails the first N attempts.")]
    public sealed class FlakyActivity : Activity<FlakyActivity.Inputs>
    {
        private static readonly ConcurrentDictionary<string, int> Calls = new();

        protected override ValueTask<ActivityResult> ExecuteAsync(Inputs inputs, ActivityContext context)
        {
            var call = Calls.AddOrUpdate($"{inputs.Key}:{context.InstanceId}", 1, (_, n) => n + 1);
            return ValueTask.FromResult(call <= inputs.Failures
                ? ActivityResult.Failed($"attempt {context.Attempt} failed on purpose")
                : ActivityResult.Succeeded());
        }

        public sealed class Inputs
        {
            [Required]
            [Description("How many attempts fail.")]
            public int Failures { get; set; }

            public string Key { get; set; } = "";
        }
    }
}
