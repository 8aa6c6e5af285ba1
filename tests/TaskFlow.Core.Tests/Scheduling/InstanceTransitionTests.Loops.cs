using System.Text.Json.Nodes;
using TaskFlow.Core.Activities;
using TaskFlow.Core.Model;
using TaskFlow.Core.Scheduling;
using TaskFlow.Core.Serialization;
using TaskFlow.Core.Validation;

namespace TaskFlow.Core.Tests.Scheduling;

// Loop edges: the nodes from the loop's target to its source, and what follows them, run again.
public partial class InstanceTransitionTests
{
    //   start ──> count(setVariable) ──> check ──[vars.n >= 3]──> done
    //               ^                      │
    //               └────[vars.n < 3, loop]┘
    private const string CountToThree = """
        { "id": "wf",
          "variables": { "n": 0 },
          "nodes": [ { "id": "start", "type": "noop" },
                     { "id": "count", "type": "setVariable", "inputs": { "name": "n", "value": "{{ vars.n + 1 }}" } },
                     { "id": "check", "type": "noop" },
                     { "id": "done", "type": "noop" } ],
          "edges": [ { "from": "start", "to": "count" }, { "from": "count", "to": "check" },
                     { "from": "check", "to": "done", "condition": "vars.n >= 3" },
                     { "from": "check", "to": "count", "condition": "vars.n < 3", "loop": true } ] }
        """;

    [Fact]
    public void LoopEdge_TakenWhileItsConditionHolds_RunsTheLoopAgainWithGrowingAttempts_ThenLeavesByTheExit()
    {
        var run = new InstanceRun(Compile(CountToThree));
        run.Instance.Variables["n"] = 0;
        run.Start();
        run.Complete("start", 1, Ok());

        var rounds = new List<RunRecord>();
        for (var round = 1; round <= 3; round++)
        {
            run.Complete("count", round, Ok($$"""{ "name": "n", "value": {{round}} }"""));
            rounds.Add(run.Complete("check", round, Ok()));
        }

        // Rounds 1 and 2: the exit is skipped, then reset with the loop; count runs again as the next attempt.
        foreach (var (record, round) in rounds.Take(2).Select((r, i) => (r, i + 1)))
        {
            Assert.Equal([new WorkRequest("count", round + 1, 50, Now)], record.Work);
            var looped = Entry(record.Journal, JournalEventType.LoopedBack, "count");
            Assert.Contains($"Loop edge 'check->count' taken ({round} of at most 1000)", looped.Message);
            Assert.Contains(record.Journal, j => j.Type == JournalEventType.NodeSkipped && j.NodeId == "done");
        }

        Assert.Equal(NodeStatus.Pending, run.History[^3].States["done"].Status);

        // Round 3 leaves: done runs (its first attempt), and finishes the instance.
        Assert.Equal([new WorkRequest("done", 1, 50, Now)], rounds[2].Work);
        Assert.DoesNotContain(rounds[2].Journal, j => j.Type == JournalEventType.LoopedBack);
        var finished = run.Complete("done", 1, Ok("""{ "ok": true }"""));
        Assert.Equal(InstanceStatus.Succeeded, finished.Finished!.Status);
        Assert.Equal(3, run.Instance.Variables["n"]!.GetValue<int>());
        Assert.Equal((NodeStatus.Succeeded, 3), (run.Stored["count"].Status, run.Stored["count"].Attempt));
    }

    [Fact]
    public void LoopEdge_ALateResultOfAnEarlierRound_IsStale()
    {
        var run = new InstanceRun(Compile(CountToThree));
        run.Instance.Variables["n"] = 0;
        run.Start();
        run.Complete("start", 1, Ok());
        run.Complete("count", 1, Ok("""{ "name": "n", "value": 1 }"""));
        run.Complete("check", 1, Ok());

        // Round 2 runs count as attempt 2; a duplicate of round 1's result changes nothing.
        var stale = run.Complete("count", 1, Ok("""{ "name": "n", "value": 99 }"""));

        Assert.Empty(stale.Work);
        Assert.Empty(stale.Journal);
        Assert.Equal((NodeStatus.Scheduled, 2), (run.Stored["count"].Status, run.Stored["count"].Attempt));
        Assert.Equal(1, run.Instance.Variables["n"]!.GetValue<int>());
    }

    [Fact]
    public void LoopEdge_TakenMoreThanMaxIterations_FailsTheInstanceNamingIt()
    {
        var run = new InstanceRun(Compile("""
            { "id": "wf",
              "nodes": [ { "id": "poll", "type": "noop" } ],
              "edges": [ { "from": "poll", "to": "poll", "loop": true, "maxIterations": 2 } ] }
            """));
        run.Start();

        run.Complete("poll", 1, Ok());
        run.Complete("poll", 2, Ok());
        var third = run.Complete("poll", 3, Ok());

        Assert.Equal(InstanceStatus.Failed, third.Finished!.Status);
        Assert.Contains("Loop edge 'poll->poll' was taken 2 times, its maxIterations (2)", third.Finished.Error);
        Assert.Empty(third.Work);
    }

    [Fact]
    public void LoopEdge_RetriesInALaterRound_CountFromThatRound()
    {
        var run = new InstanceRun(Compile("""
            { "id": "wf",
              "nodes": [ { "id": "call", "type": "noop", "retry": { "maxAttempts": 2, "delay": "1s" } }, { "id": "check", "type": "noop" } ],
              "edges": [ { "from": "call", "to": "check" }, { "from": "check", "to": "call", "condition": "nodes.check.output.again", "loop": true } ] }
            """));
        run.Start();
        run.Complete("call", 1, Ok());
        run.Complete("check", 1, Ok("""{ "again": true }"""));

        // Round 2: attempt 2 is its first; one retry (attempt 3) is still allowed, then it fails.
        var retried = run.Complete("call", 2, ActivityResult.Failed("boom", retryable: true));
        var failed = run.Complete("call", 3, ActivityResult.Failed("boom again", retryable: true));

        Assert.Equal(3, Assert.Single(retried.Work).Attempt);
        Assert.Contains("(attempt 2 of 2)", Entry(retried.Journal, JournalEventType.NodeRetried, "call").Message);
        Assert.Equal(InstanceStatus.Failed, failed.Finished!.Status);
    }

    [Theory]
    [InlineData("""{ "from": "b", "to": "c", "loop": true }""", "graph.loop.forward", "which does not come before it")]
    [InlineData("""{ "from": "c", "to": "b", "maxIterations": 5 }""", "edge.loop.max-iterations", "is not a loop edge")]
    [InlineData("""{ "from": "c", "to": "b", "loop": true, "maxIterations": 0 }""", "edge.loop.max-iterations", "use 1 to 100000")]
    [InlineData("""{ "from": "c", "to": "b" }""", "graph.cycle", "edges may not form loops")]
    public void Validate_LoopEdgeMistakes_AreNamed(string edge, string code, string message)
    {
        var definition = WorkflowJson.Parse($$"""
            { "id": "wf",
              "nodes": [ { "id": "a", "type": "noop" }, { "id": "b", "type": "noop" }, { "id": "c", "type": "noop" } ],
              "edges": [ { "from": "a", "to": "b" }, { "from": "b", "to": "c" }, {{edge}} ] }
            """);

        var problems = new WorkflowValidator(BuiltInActivities.Descriptors.ToDictionary(d => d.Type), new WorkflowLimits()).Validate(definition);

        var problem = Assert.Single(problems, p => p.Code == code);
        Assert.Contains(message, problem.Message, StringComparison.Ordinal);
    }

    //   a ──> b ──> c ──> j
    //         ^     │     ^
    //         └loop─┘     │
    //   x ────────────────┘     j joins the loop's exit with a branch that does not run again
    [Fact]
    public void Validate_ANodeAfterTheLoopJoinedFromOutside_IsRefusedNamingIt()
    {
        var definition = WorkflowJson.Parse("""
            { "id": "wf",
              "nodes": [ { "id": "a", "type": "noop" }, { "id": "b", "type": "noop" }, { "id": "c", "type": "noop" }, { "id": "x", "type": "noop" }, { "id": "j", "type": "noop" } ],
              "edges": [ { "from": "a", "to": "b" }, { "from": "b", "to": "c" }, { "from": "c", "to": "b", "loop": true },
                         { "from": "c", "to": "j" }, { "from": "x", "to": "j" } ] }
            """);

        var problems = new WorkflowValidator(BuiltInActivities.Descriptors.ToDictionary(d => d.Type), new WorkflowLimits()).Validate(definition);

        var problem = Assert.Single(problems);
        Assert.Equal("graph.loop.join", problem.Code);
        Assert.Contains("Node 'j' runs again each time loop edge 'c->b' is taken, but its edge from 'x' comes from outside the loop", problem.Message, StringComparison.Ordinal);
    }
}
