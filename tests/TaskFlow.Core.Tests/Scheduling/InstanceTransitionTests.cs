using System.Text.Json.Nodes;
using TaskFlow.Core.Activities;
using TaskFlow.Core.Graph;
using TaskFlow.Core.Model;
using TaskFlow.Core.Scheduling;
using TaskFlow.Core.Serialization;
using TaskFlow.Core.Validation;

namespace TaskFlow.Core.Tests.Scheduling;

public partial class InstanceTransitionTests
{
    private static readonly DateTimeOffset Now = new(2030, 1, 15, 9, 30, 0, TimeSpan.Zero);

    private static WorkflowGraph Compile(string json)
    {
        var definition = WorkflowJson.Parse(json);
        var problems = new WorkflowValidator(BuiltInActivities.Descriptors.ToDictionary(d => d.Type), new WorkflowLimits()).Validate(definition);
        Assert.Empty(problems);
        return WorkflowGraph.Compile(definition);
    }

    private static ActivityResult Ok(string json) => ActivityResult.Succeeded(JsonNode.Parse(json));

    private static ActivityResult Ok() => ActivityResult.Succeeded();

    private static string[] WorkIds(IEnumerable<WorkRequest> work) => work.Select(w => w.NodeId).ToArray();

    private static JournalEntry Entry(IEnumerable<JournalEntry> journal, JournalEventType type, string? nodeId) =>
        Assert.Single(journal, j => j.Type == type && j.NodeId == nodeId);

    //   a ──> b ──> c
    [Fact]
    public void Start_Sequence_SchedulesOnlyTheStartNode()
    {
        var run = new InstanceRun(Compile(Sequence));

        var t = run.Start();

        var work = Assert.Single(t.Work);
        Assert.Equal(new WorkRequest("a", 1, 50, Now), work);
        Assert.Equal([JournalEventType.InstanceStarted, JournalEventType.NodeScheduled], t.Journal.Select(j => j.Type));
        Assert.Equal(NodeStatus.Scheduled, run.Stored["a"].Status);
        Assert.Equal(1, run.Instance.ActiveNodes);
        Assert.Null(t.Finished);
    }

    //   a ──> b ──> c
    [Fact]
    public void Apply_Sequence_SchedulesEachSuccessorInTurnAndFinishes()
    {
        var run = new InstanceRun(Compile(Sequence));
        run.Start();

        var afterA = run.Complete("a", 1, Ok("""{ "n": 1 }"""));
        var afterB = run.Complete("b", 1, Ok("""{ "n": 2 }"""));
        var afterC = run.Complete("c", 1, Ok("""{ "n": 3 }"""));

        Assert.Equal(["b"], WorkIds(afterA.Work));
        Assert.Null(afterA.Finished);
        Assert.Equal(["c"], WorkIds(afterB.Work));
        Assert.Empty(afterC.Work);
        Assert.Equal(InstanceStatus.Succeeded, afterC.Finished!.Status);
        Assert.Equal("""{"c":{"n":3}}""", afterC.Finished.Output!.ToJsonString());
        Assert.Equal(["a", "b", "c"], run.Stored.Values.Where(s => s.Status == NodeStatus.Succeeded).Select(s => s.NodeId).Order());
        Assert.Equal(JournalEventType.InstanceSucceeded, afterC.Journal[^1].Type);
    }

    //   s ──> a ──> j (WaitAll)
    //    └──> b ──┘
    [Fact]
    public void Apply_ForkAndWaitAllJoin_SchedulesJoinOnlyAfterBothBranches()
    {
        var run = new InstanceRun(Compile(ForkJoin("WaitAll")));
        run.Start();

        var afterS = run.Complete("s", 1, Ok());
        var afterA = run.Complete("a", 1, Ok());
        var afterB = run.Complete("b", 1, Ok());

        Assert.Equal(["a", "b"], WorkIds(afterS.Work));
        Assert.Empty(afterA.Work);
        Assert.Equal((NodeStatus.Pending, 1), (afterA.States["j"].Status, afterA.States["j"].Arrived));
        Assert.Equal(["j"], WorkIds(afterB.Work));
        Assert.Equal(NodeStatus.Scheduled, run.Stored["j"].Status);
    }

    //   s ──> a ──────────────> j (WaitAllActive)
    //    └──[output.go]──> b ──┘        s outputs go = false, so b is skipped
    [Fact]
    public void Apply_WaitAllActiveWithDeadBranch_StillRunsTheJoin()
    {
        var run = new InstanceRun(Compile(ForkJoin("WaitAllActive", bCondition: "output.go")));
        run.Start();

        var afterS = run.Complete("s", 1, Ok("""{ "go": false }"""));
        var afterA = run.Complete("a", 1, Ok());

        Assert.Equal(["a"], WorkIds(afterS.Work));
        Assert.Equal(NodeStatus.Skipped, run.Stored["b"].Status);
        Assert.Contains("None of its inbound edges was taken", Entry(afterS.Journal, JournalEventType.NodeSkipped, "b").Message);
        Assert.Equal(["j"], WorkIds(afterA.Work));
        Assert.Equal((1, 1), (run.Stored["j"].Arrived, run.Stored["j"].Dead));
    }

    //   s ──> a ──────────────> j (WaitAll)
    //    └──[output.go]──> b ──┘        s outputs go = false, so b is skipped
    [Fact]
    public void Apply_WaitAllWithDeadBranch_SkipsTheJoinAndSaysWhy()
    {
        var run = new InstanceRun(Compile(ForkJoin("WaitAll", bCondition: "output.go")));
        run.Start();
        run.Complete("s", 1, Ok("""{ "go": false }"""));

        var afterA = run.Complete("a", 1, Ok());

        Assert.Empty(afterA.Work);
        Assert.Equal(NodeStatus.Skipped, run.Stored["j"].Status);
        var skipped = Entry(afterA.Journal, JournalEventType.NodeSkipped, "j");
        Assert.Contains("WaitAll join: 1 of 2 inbound branches were not taken", skipped.Message);
        Assert.Contains("WaitAllActive", skipped.Message);
        Assert.Equal(InstanceStatus.Succeeded, afterA.Finished!.Status);
        Assert.Equal("{}", afterA.Finished.Output!.ToJsonString());
    }

    //   s ──> a ──> j (WaitAny)
    //    └──> b ──┘        a arrives first while b is still running
    [Fact]
    public void Run_WaitAnyFirstArrival_AsksForLoserStatesThenSchedulesJoinAndCancelsLoser()
    {
        var graph = Compile(ForkJoin("WaitAny"));
        var instance = new InstanceSnapshot { Id = "i-1", ActiveNodes = 2 };
        var t = new InstanceTransition(graph, instance, Now, new WorkflowLimits(), statesAreNew: false);
        t.Load(new NodeState("a") { Status = NodeStatus.Running, Attempt = 1, IsNew = false });
        t.Load(new NodeState("j"));
        t.Apply("a", 1, Ok("""{ "winner": true }"""));

        var firstRequest = t.Run();

        // Nothing may change before every state the WaitAny decision touches is loaded.
        Assert.Equal(["b"], firstRequest);
        Assert.Empty(t.Work);
        Assert.Equal(NodeStatus.Pending, t.States["j"].Status);

        t.Load(new NodeState("b") { Status = NodeStatus.Running, Attempt = 1, IsNew = false });
        var secondRequest = t.Run();

        Assert.Empty(secondRequest);
        Assert.Equal(["j"], WorkIds(t.Work));
        Assert.Equal(["b"], t.CancelledNodes);
        Assert.Equal(NodeStatus.Skipped, t.States["b"].Status);
        Assert.True(t.States["b"].IsDirty);
        Assert.Equal("Branch lost to 'a' at WaitAny join 'j'.", Entry(t.Journal, JournalEventType.NodeSkipped, "b").Message);
        Assert.Equal(1, instance.ActiveNodes);
        Assert.Null(t.Finished);
    }

    //   s ──> a ──> j (WaitAny)
    //    └──> b ──┘
    [Fact]
    public void Apply_WaitAnyLoserResultArrivesLate_ChangesNothingAndJoinFinishesInstance()
    {
        var run = new InstanceRun(Compile(ForkJoin("WaitAny")));
        run.Start();
        run.Complete("s", 1, Ok());
        run.Complete("a", 1, Ok());

        var late = run.Complete("b", 1, Ok("""{ "late": true }"""));
        var afterJ = run.Complete("j", 1, Ok("""{ "joined": 1 }"""));

        Assert.Empty(late.Work);
        Assert.Empty(late.Journal);
        Assert.Equal(NodeStatus.Skipped, run.Stored["b"].Status);
        Assert.Null(run.Stored["b"].Output);
        Assert.Equal(InstanceStatus.Succeeded, afterJ.Finished!.Status);
        Assert.Equal("""{"j":{"joined":1}}""", afterJ.Finished.Output!.ToJsonString());
    }

    //   s ──> a1 ──> a2 ──> j (WaitAny)
    //    └──> b1 ──> b2 ──┘        b1 is running and b2 pending when a2 arrives
    [Fact]
    public void Apply_WaitAnyWithLongerLosingBranch_SkipsEveryLoserButCancelsOnlyRunningOnes()
    {
        const string json = """
            { "id": "wf",
              "nodes": [ { "id": "s", "type": "noop" }, { "id": "a1", "type": "noop" }, { "id": "a2", "type": "noop" },
                         { "id": "b1", "type": "noop" }, { "id": "b2", "type": "noop" },
                         { "id": "j", "type": "join", "inputs": { "mode": "WaitAny" } } ],
              "edges": [ { "from": "s", "to": "a1" }, { "from": "a1", "to": "a2" }, { "from": "a2", "to": "j" },
                         { "from": "s", "to": "b1" }, { "from": "b1", "to": "b2" }, { "from": "b2", "to": "j" } ] }
            """;
        var run = new InstanceRun(Compile(json));
        run.Start();
        run.Complete("s", 1, Ok());
        run.Complete("a1", 1, Ok());

        var t = run.Complete("a2", 1, Ok());

        Assert.Equal(["j"], WorkIds(t.Work));
        Assert.Equal(["b1"], t.CancelledNodes);
        Assert.Equal((NodeStatus.Skipped, NodeStatus.Skipped), (run.Stored["b1"].Status, run.Stored["b2"].Status));
        Assert.Equal(1, run.Instance.ActiveNodes);
    }

    //   a ──> b ──[nodes.a.output.go]──> c
    //          └──[output.x > 1]──────> d
    [Theory]
    [InlineData("""{ "go": true }""", """{ "x": 0 }""", "c", "d")]
    [InlineData("""{ "go": false }""", """{ "x": 5 }""", "d", "c")]
    public void Apply_ConditionalEdges_FollowOnlyTruthyConditions(string aOutput, string bOutput, string taken, string skipped)
    {
        const string json = """
            { "id": "wf",
              "nodes": [ { "id": "a", "type": "noop" }, { "id": "b", "type": "noop" }, { "id": "c", "type": "noop" }, { "id": "d", "type": "noop" } ],
              "edges": [ { "from": "a", "to": "b" },
                         { "from": "b", "to": "c", "condition": "nodes.a.output.go" },
                         { "from": "b", "to": "d", "condition": "{{ output.x > 1 }}" } ] }
            """;
        var run = new InstanceRun(Compile(json));
        run.Start();
        run.Complete("a", 1, Ok(aOutput));

        var afterB = run.Complete("b", 1, Ok(bOutput));

        // The condition reads node a, which this transition had to load from the store.
        Assert.Contains(afterB.Requests, request => request.Contains("a"));
        Assert.Equal([taken], WorkIds(afterB.Work));
        Assert.Equal(NodeStatus.Skipped, run.Stored[skipped].Status);
    }

    //   a ──[output.n / 0 > 1]──> b        division by zero at run time
    [Fact]
    public void Apply_ConditionThatCannotBeEvaluated_FailsTheNode()
    {
        const string json = """
            { "id": "wf", "nodes": [ { "id": "a", "type": "noop" }, { "id": "b", "type": "noop" } ],
              "edges": [ { "from": "a", "to": "b", "condition": "output.n / 0 > 1" } ] }
            """;
        var run = new InstanceRun(Compile(json));
        run.Start();

        var t = run.Complete("a", 1, Ok("""{ "n": 1 }"""));

        Assert.Empty(t.Work);
        Assert.Equal(NodeStatus.Failed, run.Stored["a"].Status);
        Assert.Contains("The condition of edge 'a->b' could not be evaluated", run.Stored["a"].Error);
        Assert.Equal(InstanceStatus.Failed, t.Finished!.Status);
    }

    //   a ──[js: getVariable('amount') > 1000]──> big
    //     └─[js: getVariable('amount') <= 1000]──> small        a's result carries amount = 1500
    [Fact]
    public void Apply_VariableWritesOfTheResult_AreStoredAndSeenByJavaScriptConditions()
    {
        const string json = """
            { "id": "wf", "variables": { "amount": 0 },
              "nodes": [ { "id": "a", "type": "noop" }, { "id": "big", "type": "noop" }, { "id": "small", "type": "noop" } ],
              "edges": [ { "from": "a", "to": "big", "condition": { "js": "getVariable('amount') > 1000" } },
                         { "from": "a", "to": "small", "condition": { "js": "getVariable('amount') <= 1000" } } ] }
            """;
        var run = new InstanceRun(Compile(json));
        run.Start();

        var t = run.Complete("a", 1, new SucceededResult(null, ["done"]) { VariableWrites = new JsonObject { ["amount"] = 1500 } });

        Assert.Equal(["big"], WorkIds(t.Work));
        Assert.Equal(NodeStatus.Skipped, run.Stored["small"].Status);
        Assert.Equal("""{"amount":1500}""", run.Instance.Variables.ToJsonString());
        Assert.True(run.Instance.VariablesChanged);
    }

    //   a ──[js: setVariable('seen', 1); true]──> b
    //     └─[js: output.missing.x]──────────────> c        the second condition throws: a fails, nothing is written
    [Fact]
    public void Apply_ConditionThatThrows_UndoesTheVariableWrites()
    {
        const string json = """
            { "id": "wf", "variables": { "amount": 0 },
              "nodes": [ { "id": "a", "type": "noop" }, { "id": "b", "type": "noop" }, { "id": "c", "type": "noop" } ],
              "edges": [ { "from": "a", "to": "b", "condition": { "js": "setVariable('seen', 1); true" } },
                         { "from": "a", "to": "c", "condition": { "js": "output.missing.x" } } ] }
            """;
        var run = new InstanceRun(Compile(json));
        run.Instance.Variables["amount"] = 0;
        run.Start();

        run.Complete("a", 1, new SucceededResult(JsonNode.Parse("{}"), ["done"]) { VariableWrites = new JsonObject { ["amount"] = 7 } });

        Assert.Equal(NodeStatus.Failed, run.Stored["a"].Status);
        Assert.Contains("The condition of edge 'a->c' could not be evaluated", run.Stored["a"].Error);
        Assert.Equal("""{"amount":0}""", run.Instance.Variables.ToJsonString());
    }

    //   a ──done──> b        a declares outcome 'other', so b is skipped
    [Fact]
    public void Apply_OutcomeWithoutMatchingEdge_SkipsTheSuccessor()
    {
        var run = new InstanceRun(Compile("""
            { "id": "wf", "nodes": [ { "id": "a", "type": "noop" }, { "id": "b", "type": "noop" } ], "edges": [ { "from": "a", "to": "b" } ] }
            """));
        run.Start();

        var t = run.Complete("a", 1, ActivityResult.Succeeded(null, "other"));

        Assert.Empty(t.Work);
        Assert.Equal(NodeStatus.Skipped, run.Stored["b"].Status);
        Assert.Equal("outcome: other", Entry(t.Journal, JournalEventType.NodeSucceeded, "a").Message);
        Assert.Equal(InstanceStatus.Succeeded, t.Finished!.Status);
    }

    //   a (retry: 3 attempts, 10s exponential x2)
    [Fact]
    public void Apply_RetryableFailure_SchedulesNextAttemptAfterBackoffThenFailsInstance()
    {
        var run = new InstanceRun(Compile("""
            { "id": "wf", "nodes": [ { "id": "a", "type": "noop", "tier": 1, "retry": { "maxAttempts": 3, "delay": "10s", "factor": 2 } } ] }
            """));
        run.Start();

        var first = run.Complete("a", 1, ActivityResult.Failed("boom"));
        var second = run.Complete("a", 2, ActivityResult.Failed("boom again"), Now.AddSeconds(10));
        var last = run.Complete("a", 3, ActivityResult.Failed("still broken"), Now.AddSeconds(30));

        Assert.Equal(new WorkRequest("a", 2, 100, Now + TimeSpan.FromSeconds(10)), Assert.Single(first.Work));
        Assert.Contains("Retrying in 10s (attempt 2 of 3)", Entry(first.Journal, JournalEventType.NodeRetried, "a").Message);
        Assert.Equal(new WorkRequest("a", 3, 100, Now.AddSeconds(10) + TimeSpan.FromSeconds(20)), Assert.Single(second.Work));
        Assert.Null(first.Finished);
        Assert.Null(second.Finished);

        Assert.Empty(last.Work);
        Assert.Equal((NodeStatus.Failed, 3, "still broken"), (run.Stored["a"].Status, run.Stored["a"].Attempt, run.Stored["a"].Error));
        Assert.Equal(new InstanceOutcome(InstanceStatus.Failed, null, "Node 'a' failed: still broken"), last.Finished);
        Assert.Equal((InstanceStatus.Failed, 0), (run.Instance.Status, run.Instance.ActiveNodes));
    }

    //   a (retry: 5 attempts, fixed 2s, max 1s)
    [Fact]
    public void Apply_FixedBackoff_WaitsTheSameCappedDelayEachTime()
    {
        var run = new InstanceRun(Compile("""
            { "id": "wf", "nodes": [ { "id": "a", "type": "noop", "retry": { "maxAttempts": 5, "backoff": "fixed", "delay": "2s", "maxDelay": "1s" } } ] }
            """));
        run.Start();

        var first = run.Complete("a", 1, ActivityResult.Failed("x"));
        var second = run.Complete("a", 2, ActivityResult.Failed("x"));

        Assert.Equal(Now.AddSeconds(1), Assert.Single(first.Work).VisibleAt);
        Assert.Equal(Now.AddSeconds(1), Assert.Single(second.Work).VisibleAt);
    }

    //   a (retry: 3 attempts)
    [Fact]
    public void Apply_NonRetryableFailure_FailsAtOnceDespiteRetryPolicy()
    {
        var run = new InstanceRun(Compile("""
            { "id": "wf", "nodes": [ { "id": "a", "type": "noop", "retry": { "maxAttempts": 3 } } ] }
            """));
        run.Start();

        var t = run.Complete("a", 1, ActivityResult.Failed("bad input", retryable: false));

        Assert.Empty(t.Work);
        Assert.Equal(InstanceStatus.Failed, t.Finished!.Status);
        Assert.Equal(1, run.Stored["a"].Attempt);
    }

    //   a ──done───> ok
    //    └──error──> handler
    [Fact]
    public void Apply_FailureWithErrorEdge_RunsHandlerAndSkipsNormalPath()
    {
        const string json = """
            { "id": "wf",
              "nodes": [ { "id": "a", "type": "noop" }, { "id": "ok", "type": "noop" }, { "id": "handler", "type": "noop" } ],
              "edges": [ { "from": "a", "to": "ok" }, { "from": "a", "to": "handler", "fromPort": "error" } ] }
            """;
        var run = new InstanceRun(Compile(json));
        run.Start();

        var afterA = run.Complete("a", 1, ActivityResult.Failed("disk full"));
        var afterHandler = run.Complete("handler", 1, Ok("""{ "handled": "disk full" }"""));

        Assert.Equal(["handler"], WorkIds(afterA.Work));
        Assert.Null(afterA.Finished);
        Assert.Equal((NodeStatus.Failed, "disk full"), (run.Stored["a"].Status, run.Stored["a"].Error));
        Assert.Equal(NodeStatus.Skipped, run.Stored["ok"].Status);
        Assert.Equal(InstanceStatus.Succeeded, afterHandler.Finished!.Status);
        Assert.Equal("""{"handler":{"handled":"disk full"}}""", afterHandler.Finished.Output!.ToJsonString());
    }

    //   a ──> b        a is on attempt 2 after a retry
    [Fact]
    public void Apply_StaleAttempt_ChangesNothing()
    {
        var run = new InstanceRun(Compile("""
            { "id": "wf", "nodes": [ { "id": "a", "type": "noop", "retry": { "maxAttempts": 3 } }, { "id": "b", "type": "noop" } ],
              "edges": [ { "from": "a", "to": "b" } ] }
            """));
        run.Start();
        run.Complete("a", 1, ActivityResult.Failed("lost lease"));

        var stale = run.Complete("a", 1, Ok("""{ "old": true }"""));

        Assert.Empty(stale.Work);
        Assert.Empty(stale.Journal);
        Assert.Null(stale.Finished);
        Assert.DoesNotContain(stale.States.Values, s => s.IsDirty);
        Assert.Equal((NodeStatus.Scheduled, 2), (run.Stored["a"].Status, run.Stored["a"].Attempt));
        Assert.False(run.Stored.ContainsKey("b"));
    }

    //   a ──> b        a's result is delivered twice
    [Fact]
    public void Apply_DuplicateResultAfterCompletion_ChangesNothing()
    {
        var run = new InstanceRun(Compile(Sequence));
        run.Start();
        run.Complete("a", 1, Ok("""{ "n": 1 }"""));

        var duplicate = run.Complete("a", 1, Ok("""{ "n": 2 }"""));

        Assert.Empty(duplicate.Work);
        Assert.Empty(duplicate.Journal);
        Assert.Equal("""{"n":1}""", run.Stored["a"].Output!.ToJsonString());
        Assert.Equal(1, run.Stored["b"].Arrived);
    }

    //   loop (foreach, 5 items, 2 at a time) ──> after
    [Fact]
    public void Apply_ForEach_RunsItemsWithBoundedParallelismAndCollectsOutputsInItemOrder()
    {
        var run = new InstanceRun(Compile(ForEachThenAfter));
        run.Start();

        var started = run.Complete("loop", 1, ActivityResult.ForEach(new JsonArray(10, 20, 30, 40, 50), 2, new JsonObject { ["type"] = "transform" }));

        Assert.Equal(["loop[0]", "loop[1]"], WorkIds(started.Work));
        Assert.Equal("""{"item":10,"index":0}""", started.Work[0].Payload!.ToJsonString());
        Assert.Equal("""{"item":20,"index":1}""", started.Work[1].Payload!.ToJsonString());
        Assert.Equal((NodeStatus.Waiting, 5, 2), (run.Stored["loop"].Status, run.Stored["loop"].ItemsTotal, run.Stored["loop"].ItemsStarted));
        Assert.Equal(1, run.Instance.ActiveNodes);

        Assert.Equal(["loop[2]"], WorkIds(run.Complete("loop[0]", 1, Ok("\"r0\"")).Work));
        Assert.Equal(["loop[3]"], WorkIds(run.Complete("loop[1]", 1, Ok("\"r1\"")).Work));
        Assert.Equal(["loop[4]"], WorkIds(run.Complete("loop[3]", 1, Ok("\"r3\"")).Work));
        var beforeLast = run.Complete("loop[4]", 1, Ok("\"r4\""));
        Assert.Empty(beforeLast.Work);
        Assert.Equal(NodeStatus.Waiting, run.Stored["loop"].Status);

        var last = run.Complete("loop[2]", 1, Ok("\"r2\""));

        Assert.Equal(["after"], WorkIds(last.Work));
        Assert.Equal(NodeStatus.Succeeded, run.Stored["loop"].Status);
        Assert.Equal("""["r0","r1","r2","r3","r4"]""", run.Stored["loop"].Output!.ToJsonString());
        // The last completion needed every iteration's output, so it loaded all five.
        Assert.Superset(Enumerable.Range(0, 5).Select(i => $"loop[{i}]").ToHashSet(), last.Requests.SelectMany(r => r).ToHashSet());
    }

    //   loop (foreach, 0 items) ──> after
    [Fact]
    public void Apply_ForEachWithNoItems_SucceedsWithEmptyList()
    {
        var run = new InstanceRun(Compile(ForEachThenAfter));
        run.Start();

        var t = run.Complete("loop", 1, ActivityResult.ForEach([], 2, new JsonObject { ["type"] = "noop" }));

        Assert.Equal(["after"], WorkIds(t.Work));
        Assert.Equal("[]", run.Stored["loop"].Output!.ToJsonString());
    }

    //   loop (foreach, 3 items, limit 2) ──> after
    [Fact]
    public void Apply_ForEachAboveItemLimit_FailsTheNode()
    {
        var run = new InstanceRun(Compile(ForEachThenAfter), new WorkflowLimits { MaxForEachItems = 2 });
        run.Start();

        var t = run.Complete("loop", 1, ActivityResult.ForEach(new JsonArray(1, 2, 3), 2, new JsonObject { ["type"] = "noop" }));

        Assert.Empty(t.Work);
        Assert.Contains("3 items, more than the foreach limit of 2", run.Stored["loop"].Error);
        Assert.Equal(InstanceStatus.Failed, t.Finished!.Status);
    }

    //   loop (foreach, 3 items, 3 at a time) ──> after
    [Fact]
    public void Apply_ForEachIterationFails_FailsForEachAndCancelsOtherIterations()
    {
        var run = new InstanceRun(Compile(ForEachThenAfter));
        run.Start();
        run.Complete("loop", 1, ActivityResult.ForEach(new JsonArray("x", "y", "z"), 3, new JsonObject { ["type"] = "noop" }));
        run.Complete("loop[0]", 1, Ok("1"));

        var t = run.Complete("loop[1]", 1, ActivityResult.Failed("item broke", retryable: false));

        Assert.Empty(t.Work);
        Assert.Equal(["loop"], t.CancelledNodes);
        Assert.Equal(
            [NodeStatus.Succeeded, NodeStatus.Failed, NodeStatus.Cancelled],
            Enumerable.Range(0, 3).Select(i => run.Stored[$"loop[{i}]"].Status));
        Assert.Equal((NodeStatus.Failed, "Item 1 failed: item broke"), (run.Stored["loop"].Status, run.Stored["loop"].Error));
        Assert.Equal(InstanceStatus.Failed, t.Finished!.Status);
        Assert.Contains("Item 1 failed", t.Finished.Error);
        Assert.Equal(0, run.Instance.ActiveNodes);
    }

    //   loop (foreach; body retries 2 attempts) ──> after
    [Fact]
    public void Apply_ForEachIterationRetryableFailure_RetriesTheIterationWithItsPayload()
    {
        var run = new InstanceRun(Compile("""
            { "id": "wf",
              "nodes": [ { "id": "loop", "type": "foreach", "inputs": { "items": [1], "body": { "type": "noop" } }, "retry": { "maxAttempts": 2, "delay": "5s" } },
                         { "id": "after", "type": "noop" } ],
              "edges": [ { "from": "loop", "to": "after" } ] }
            """));
        run.Start();
        run.Complete("loop", 1, ActivityResult.ForEach(new JsonArray("only"), 1, new JsonObject { ["type"] = "noop" }));

        var t = run.Complete("loop[0]", 1, ActivityResult.Failed("flaky"));

        var retry = Assert.Single(t.Work);
        Assert.Equal(("loop[0]", 2, Now.AddSeconds(5)), (retry.NodeId, retry.Attempt, retry.VisibleAt));
        Assert.Equal("""{"item":"only","index":0}""", retry.Payload!.ToJsonString());
        Assert.Equal(NodeStatus.Waiting, run.Stored["loop"].Status);
    }

    //   a ──> b        no output template: the output holds the end node's output
    //   a ──> c
    [Fact]
    public void Run_NoOutputTemplate_OutputIsEverySucceededEndNodesOutput()
    {
        var run = new InstanceRun(Compile("""
            { "id": "wf", "nodes": [ { "id": "a", "type": "noop" }, { "id": "b", "type": "noop" }, { "id": "c", "type": "noop" } ],
              "edges": [ { "from": "a", "to": "b" }, { "from": "a", "to": "c" } ] }
            """));
        run.Start();
        run.Complete("a", 1, Ok("""{ "ignored": true }"""));
        run.Complete("c", 1, Ok("\"C\""));

        var t = run.Complete("b", 1, Ok("""{ "v": "B" }"""));

        Assert.Equal("""{"b":{"v":"B"},"c":"C"}""", t.Finished!.Output!.ToJsonString());
        Assert.Equal(t.Finished.Output.ToJsonString(), run.Instance.Output!.ToJsonString());
    }

    //   a ──> b        output: { total: nodes.a.output.n + nodes.b.output.n, who: input.name }
    [Fact]
    public void Run_OutputTemplate_IsRenderedFromNodesAndInput()
    {
        var run = new InstanceRun(Compile("""
            { "id": "wf", "nodes": [ { "id": "a", "type": "noop" }, { "id": "b", "type": "noop" } ],
              "edges": [ { "from": "a", "to": "b" } ],
              "output": { "total": "{{ nodes.a.output.n + nodes.b.output.n }}", "who": "{{ input.name }}", "fixed": 1 } }
            """));
        run.Instance.Input["name"] = "Ada";
        run.Start();
        run.Complete("a", 1, Ok("""{ "n": 2 }"""));

        var t = run.Complete("b", 1, Ok("""{ "n": 40 }"""));

        Assert.Equal("""{"total":42,"who":"Ada","fixed":1}""", t.Finished!.Output!.ToJsonString());
        Assert.Contains(t.Requests, r => r.Contains("a"));
    }

    //   a        output: {{ nodes.a.output.n / 0 }}, division by zero at run time
    [Fact]
    public void Run_OutputTemplateFails_FailsTheInstance()
    {
        var run = new InstanceRun(Compile("""
            { "id": "wf", "nodes": [ { "id": "a", "type": "noop" } ], "output": "{{ nodes.a.output.n / 0 }}" }
            """));
        run.Start();

        var t = run.Complete("a", 1, Ok("""{ "n": 1 }"""));

        Assert.Equal(InstanceStatus.Failed, t.Finished!.Status);
        Assert.StartsWith("The workflow output could not be computed", t.Finished.Error);
    }

    //   s ──> a
    //    └──> b ──> c
    [Fact]
    public void Run_InstanceFinishesExactlyWhenActiveNodesReachesZero()
    {
        var run = new InstanceRun(Compile("""
            { "id": "wf", "nodes": [ { "id": "s", "type": "noop" }, { "id": "a", "type": "noop" }, { "id": "b", "type": "noop" }, { "id": "c", "type": "noop" } ],
              "edges": [ { "from": "s", "to": "a" }, { "from": "s", "to": "b" }, { "from": "b", "to": "c" } ] }
            """));
        run.Start();
        var steps = new (string Node, int ActiveAfter)[] { ("s", 2), ("b", 2), ("a", 1), ("c", 0) };

        foreach (var (node, activeAfter) in steps)
        {
            var t = run.Complete(node, 1, Ok());

            Assert.Equal(activeAfter, run.Instance.ActiveNodes);
            Assert.Equal(activeAfter == 0, t.Finished is not null);
            Assert.Equal(activeAfter == 0 ? InstanceStatus.Succeeded : InstanceStatus.Running, run.Instance.Status);
        }

        Assert.Equal(1, run.History.SelectMany(t => t.Journal).Count(j => j.Type == JournalEventType.InstanceSucceeded));
    }

    //   a ──> b        a suspends (delay), then resumes
    [Fact]
    public void Apply_Suspended_ParksTheNodeUntilResumeTime()
    {
        var run = new InstanceRun(Compile(Sequence));
        run.Start();

        var parked = run.Complete("a", 1, ActivityResult.Suspend(Now.AddMinutes(5)));
        var resumed = run.Complete("a", 1, Ok(), Now.AddMinutes(5));

        Assert.Equal(new WorkRequest("a", 1, 50, Now.AddMinutes(5), Resume: true), Assert.Single(parked.Work));
        Assert.Equal(NodeStatus.Succeeded, run.Stored["a"].Status);
        Assert.Equal(["b"], WorkIds(resumed.Work));
        Assert.Equal(1, run.Instance.ActiveNodes);
    }

    //   a (workflow) ──> b
    [Fact]
    public void Apply_StartChild_RequestsTheChildAndWaits()
    {
        var run = new InstanceRun(Compile(Sequence));
        run.Start();

        var t = run.Complete("a", 1, ActivityResult.StartChild("child", 2, new JsonObject { ["x"] = 1 }));

        var child = Assert.Single(t.Children);
        Assert.Equal(("a", 1, "child", 2, """{"x":1}"""), (child.ParentNodeId, child.ParentAttempt, child.DefinitionId, child.Version, child.Input.ToJsonString()));
        Assert.Equal(NodeStatus.Waiting, run.Stored["a"].Status);
        Assert.Empty(t.Work);
        Assert.Null(t.Finished);
    }

    private const string Sequence = """
        { "id": "wf",
          "nodes": [ { "id": "a", "type": "noop" }, { "id": "b", "type": "noop" }, { "id": "c", "type": "noop" } ],
          "edges": [ { "from": "a", "to": "b" }, { "from": "b", "to": "c" } ] }
        """;

    private const string ForEachThenAfter = """
        { "id": "wf",
          "nodes": [ { "id": "loop", "type": "foreach", "inputs": { "items": "{{ input.items }}", "body": { "type": "noop" } } },
                     { "id": "after", "type": "noop" } ],
          "edges": [ { "from": "loop", "to": "after" } ] }
        """;

    private static string ForkJoin(string mode, string? bCondition = null) => $$"""
        { "id": "wf",
          "nodes": [ { "id": "s", "type": "noop" }, { "id": "a", "type": "noop" }, { "id": "b", "type": "noop" },
                     { "id": "j", "type": "join", "inputs": { "mode": "{{mode}}" } } ],
          "edges": [ { "from": "s", "to": "a" }, { "from": "s", "to": "b"{{(bCondition is null ? "" : $", \"condition\": \"{bCondition}\"")}} },
                     { "from": "a", "to": "j" }, { "from": "b", "to": "j" } ] }
        """;

    /// <summary>
    /// Drives one instance through transitions the way the engine does, without a database: a
    /// fresh transition per result, node states loaded on request from <see cref="Stored"/> (a
    /// node without a stored row is a new Pending state), and changed states written back.
    /// </summary>
    private sealed class InstanceRun(WorkflowGraph graph, WorkflowLimits? limits = null)
    {
        private readonly WorkflowLimits _limits = limits ?? new WorkflowLimits();

        public InstanceSnapshot Instance { get; } = new() { Id = "i-1" };

        public Dictionary<string, NodeState> Stored { get; } = new(StringComparer.Ordinal);

        public List<RunRecord> History { get; } = [];

        public RunRecord Start()
        {
            var t = new InstanceTransition(graph, Instance, Now, _limits, statesAreNew: true);
            t.Start();
            return Drive(t);
        }

        public RunRecord Complete(string nodeId, int attempt, ActivityResult result, DateTimeOffset? at = null)
        {
            var t = new InstanceTransition(graph, Instance, at ?? Now, _limits);
            t.Apply(nodeId, attempt, result);
            return Drive(t);
        }

        private RunRecord Drive(InstanceTransition t)
        {
            var requests = new List<IReadOnlyCollection<string>>();
            while (t.Run() is { Count: > 0 } missing)
            {
                Assert.True(requests.Count < 10, "The transition keeps asking for states.");
                requests.Add(missing);
                foreach (var id in missing)
                {
                    t.Load(Stored.TryGetValue(id, out var stored) ? Copy(stored) : new NodeState(id));
                }
            }

            var record = new RunRecord(t, requests);
            foreach (var state in t.States.Values.Where(s => s.IsDirty))
            {
                var copy = Copy(state);
                copy.IsNew = false;
                copy.IsDirty = false;
                Stored[state.NodeId] = copy;
            }

            History.Add(record);
            return record;
        }

        private static NodeState Copy(NodeState s) => new(s.NodeId)
        {
            Status = s.Status,
            Attempt = s.Attempt,
            Arrived = s.Arrived,
            Dead = s.Dead,
            Output = s.Output?.DeepClone(),
            Error = s.Error,
            ItemsTotal = s.ItemsTotal,
            ItemsStarted = s.ItemsStarted,
            ItemsDone = s.ItemsDone,
            Data = s.Data?.DeepClone(),
            StartedAt = s.StartedAt,
            FinishedAt = s.FinishedAt,
            IsNew = s.IsNew,
            IsDirty = false,
        };
    }

    /// <summary>One committed transition and the state ids it asked for along the way.</summary>
    private sealed record RunRecord(InstanceTransition Transition, List<IReadOnlyCollection<string>> Requests)
    {
        public List<WorkRequest> Work => Transition.Work;

        public List<JournalEntry> Journal => Transition.Journal;

        public List<string> CancelledNodes => Transition.CancelledNodes;

        public List<ChildStartRequest> Children => Transition.Children;

        public Dictionary<string, NodeState> States => Transition.States;

        public InstanceOutcome? Finished => Transition.Finished;
    }
}
