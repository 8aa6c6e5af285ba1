using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using TaskFlow.Core.Activities;
using TaskFlow.Core.Model;
using TaskFlow.Core.Scheduling;
using TaskFlow.Engine.Activities;
using TaskFlow.Engine.Persistence;
using TaskFlow.Engine.Runtime;
using TaskFlow.Engine.Tests.Infrastructure;

namespace TaskFlow.Engine.Tests.Dispatch;

/// <summary>
/// Pure steps run inside the commit that made them due (docs/engine.md, "Pure steps run inline"):
/// a chain of them costs one commit, the journal still shows each start and end, and a step with
/// side effects always runs from the queue with its own commit.
/// </summary>
public sealed class InlineStepTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    // s0(sleep) ──> s1(setVariable count+1) ──> s2(transform {{ nodes.s1.output.value }}) ──> ... ──> s40
    [Theory]
    [MemberData(nameof(TestEngine.Providers), MemberType = typeof(TestEngine))]
    public async Task ChainOfPureSteps_RunInTheCommitOfTheStepThatReadiedThem_EachStartAndEndJournaled(string provider)
    {
        await using var engine = await TestEngine.StartAsync(provider, NoTimeLimit);
        await engine.Runtime.SaveDefinitionAsync(Chain("pure-chain", 40, _ => null));
        var store = engine.Services.GetRequiredService<EngineStore>();
        var before = store.InlineSteps;

        var view = await RunAsync(engine, "pure-chain");

        Assert.Equal(20, view.Output!["count"]!.GetValue<int>());
        Assert.Equal(20, view.Node("s40").Output!.GetValue<int>());
        Assert.Equal(40, store.InlineSteps - before);

        // One commit: every line of s1..s40 carries the clock reading of the commit that took s0's result.
        var journal = await engine.Runtime.GetJournalAsync(view.Id);
        var committed = journal.Single(j => j.NodeId == "s0" && j.Type == JournalEventType.NodeSucceeded);
        for (var i = 1; i <= 40; i++)
        {
            var lines = journal.Where(j => j.NodeId == $"s{i}").ToArray();
            Assert.Equal([JournalEventType.NodeScheduled, JournalEventType.NodeStarted, JournalEventType.NodeSucceeded], lines.Select(j => j.Type));
            Assert.All(lines, j => Assert.Equal(committed.At, j.At));
            Assert.All(lines, j => Assert.Equal(committed.Worker, j.Worker));
        }
    }

    // The same chain with MaxInlineSteps 10: after ten steps inline, the next is queued (kept by the
    // worker) and runs on its own, and its commit runs the next ten: 10 + 10 + 10 + 7 inline.
    [Theory]
    [MemberData(nameof(TestEngine.Providers), MemberType = typeof(TestEngine))]
    public async Task ChainOfPureSteps_MaxInlineSteps_BoundsEachCommit(string provider)
    {
        await using var engine = await TestEngine.StartAsync(provider, o =>
        {
            NoTimeLimit(o);
            o.MaxInlineSteps = 10;
        });
        await engine.Runtime.SaveDefinitionAsync(Chain("bounded-chain", 40, _ => null));
        var store = engine.Services.GetRequiredService<EngineStore>();
        var before = store.InlineSteps;

        var view = await RunAsync(engine, "bounded-chain");

        Assert.Equal(20, view.Output!["count"]!.GetValue<int>());
        Assert.Equal(37, store.InlineSteps - before);
    }

    [Theory]
    [MemberData(nameof(TestEngine.Providers), MemberType = typeof(TestEngine))]
    public async Task ChainOfPureSteps_MaxInlineStepsZero_EveryStepIsQueued(string provider)
    {
        await using var engine = await TestEngine.StartAsync(provider, o => o.MaxInlineSteps = 0);
        await engine.Runtime.SaveDefinitionAsync(Chain("queued-chain", 10, _ => null));
        var store = engine.Services.GetRequiredService<EngineStore>();
        var before = store.InlineSteps;

        var view = await RunAsync(engine, "queued-chain");

        Assert.Equal(5, view.Output!["count"]!.GetValue<int>());
        Assert.Equal(0, store.InlineSteps - before);
    }

    // s11 acts outside the instance: it is never run inline, so it splits the chain into two commits
    // of pure steps, and it runs exactly once, from the queue.
    [Theory]
    [MemberData(nameof(TestEngine.Providers), MemberType = typeof(TestEngine))]
    public async Task SideEffectingStep_InAChainOfPureSteps_RunsFromTheQueueWithItsOwnCommit(string provider)
    {
        await using var engine = await TestEngine.StartAsync(provider, NoTimeLimit, b => b.AddActivity<EffectActivity>());
        await engine.Runtime.SaveDefinitionAsync(Chain("mixed", 22, i => i == 11 ? new JsonObject { ["id"] = "s11", ["type"] = "test.effect" } : null));
        var store = engine.Services.GetRequiredService<EngineStore>();
        var before = store.InlineSteps;

        var view = await RunAsync(engine, "mixed");

        Assert.Equal(21, store.InlineSteps - before);
        Assert.Single(EffectActivity.Runs[view.Id]);
        var journal = await engine.Runtime.GetJournalAsync(view.Id);
        var s0 = journal.Single(j => j.NodeId == "s0" && j.Type == JournalEventType.NodeSucceeded).At;
        var s11 = journal.Single(j => j.NodeId == "s11" && j.Type == JournalEventType.NodeSucceeded).At;
        Assert.All(journal.Where(j => j.Type == JournalEventType.NodeSucceeded && Index(j.NodeId!) is >= 1 and <= 10), j => Assert.Equal(s0, j.At));
        Assert.All(journal.Where(j => j.Type == JournalEventType.NodeSucceeded && Index(j.NodeId!) >= 12), j => Assert.Equal(s11, j.At));
        Assert.NotEqual(s0, s11);
    }

    // A pure step's failure inline is an ordinary failure: the node fails with its message, and
    // without an error edge so does the instance; nothing after it runs.
    [Theory]
    [MemberData(nameof(TestEngine.Providers), MemberType = typeof(TestEngine))]
    public async Task PureStepFails_Inline_TheNodeAndInstanceFailWithItsMessage(string provider)
    {
        await using var engine = await TestEngine.StartAsync(provider, NoTimeLimit);
        await engine.Runtime.SaveDefinitionAsync(Chain("failing", 6, i => i == 3 ? new JsonObject { ["id"] = "s3", ["type"] = "fail", ["inputs"] = new JsonObject { ["message"] = "count is {{ vars.count }}" } } : null));

        var id = await engine.Runtime.StartAsync("failing");
        var view = await engine.Runtime.WaitAsync(id, Wait);

        Assert.NotNull(view);
        Assert.Equal(InstanceStatus.Failed, view.Status);
        Assert.Equal("count is 1", view.Node("s3").Error);
        Assert.Equal(NodeStatus.Pending, view.StatusOf("s4"));
        var journal = await engine.Runtime.GetJournalAsync(id);
        Assert.Contains(journal, j => j.NodeId == "s3" && j.Type == JournalEventType.NodeStarted);
        Assert.Contains(journal, j => j.NodeId == "s3" && j.Type == JournalEventType.NodeFailed && j.Message == "count is 1");
    }

    // An activity declared pure that does more than succeed or fail (here: waits on a timer) is a
    // mistake in its declaration; inline, the node fails saying so rather than waiting.
    [Theory]
    [MemberData(nameof(TestEngine.Providers), MemberType = typeof(TestEngine))]
    public async Task ActivityDeclaredPure_ReturnsAWait_TheNodeFailsNamingTheDeclaration(string provider)
    {
        await using var engine = await TestEngine.StartAsync(provider, NoTimeLimit, b => b.AddActivity<FalselyPureActivity>());
        await engine.Runtime.SaveDefinitionAsync(Chain("falsely-pure", 2, i => i == 2 ? new JsonObject { ["id"] = "s2", ["type"] = "test.falsely-pure" } : null));

        var id = await engine.Runtime.StartAsync("falsely-pure");
        var view = await engine.Runtime.WaitAsync(id, Wait);

        Assert.NotNull(view);
        Assert.Equal(InstanceStatus.Failed, view.Status);
        Assert.Equal("Activity type 'test.falsely-pure' is declared pure but returned suspended; a pure activity only succeeds or fails.", view.Node("s2").Error);
    }

    // Bad settings stop the engine at start, naming the setting, before anything is stored. (The
    // second case also guards the engine's own rules being checked at all: they were once
    // registered so that the data-annotation checks replaced them.)
    [Theory]
    [InlineData(-1, 50, "MaxInlineSteps")]
    [InlineData(10, 0, "TaskFlow:Engine:MaxInlineTime")]
    public async Task Settings_OutOfRange_TheEngineRefusesToStartNamingTheSetting(int steps, int milliseconds, string named)
    {
        var error = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => TestEngine.StartAsync(TestEngine.Sqlite, o =>
        {
            o.MaxInlineSteps = steps;
            o.MaxInlineTime = TimeSpan.FromMilliseconds(milliseconds);
        }));

        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    private static void NoTimeLimit(Hosting.TaskFlowEngineOptions options) => options.MaxInlineTime = TimeSpan.FromMinutes(5);

    private static async Task<InstanceView> RunAsync(TestEngine engine, string definitionId)
    {
        var id = await engine.Runtime.StartAsync(definitionId);
        var view = await engine.Runtime.WaitAsync(id, Wait);
        Assert.NotNull(view);
        view.AssertSucceeded();
        return view;
    }

    private static int Index(string nodeId) => int.Parse(nodeId[1..], System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// s0 sleeps (not pure); then odd steps add one to <c>count</c> and even steps pass on the value
    /// the step before them set; <paramref name="replace"/> may put another node in a place.
    /// </summary>
    private static string Chain(string id, int last, Func<int, JsonObject?> replace)
    {
        var nodes = new JsonArray { new JsonObject { ["id"] = "s0", ["type"] = "sleep", ["inputs"] = new JsonObject { ["duration"] = "1ms" } } };
        var edges = new JsonArray();
        for (var i = 1; i <= last; i++)
        {
            nodes.Add(replace(i) ?? (i % 2 == 1
                ? new JsonObject { ["id"] = $"s{i}", ["type"] = "setVariable", ["inputs"] = new JsonObject { ["name"] = "count", ["value"] = "{{ vars.count + 1 }}" } }
                : new JsonObject { ["id"] = $"s{i}", ["type"] = "transform", ["inputs"] = new JsonObject { ["value"] = $"{{{{ nodes.s{i - 1}.output.value }}}}" } }));
            edges.Add(new JsonObject { ["from"] = $"s{i - 1}", ["to"] = $"s{i}" });
        }

        return new JsonObject
        {
            ["id"] = id,
            ["variables"] = new JsonObject { ["count"] = 0 },
            ["nodes"] = nodes,
            ["edges"] = edges,
            ["output"] = new JsonObject { ["count"] = "{{ vars.count }}" },
        }.ToJsonString();
    }

    /// <summary>Stands for a step with side effects: records each run under its instance.</summary>
    [Activity("test.effect")]
    public sealed class EffectActivity : IActivity
    {
        public static readonly ConcurrentDictionary<string, ConcurrentBag<int>> Runs = new();

        public ValueTask<ActivityResult> ExecuteAsync(ActivityContext context)
        {
            Runs.GetOrAdd(context.InstanceId, _ => []).Add(context.Attempt);
            return ValueTask.FromResult(ActivityResult.Succeeded(new JsonObject { ["value"] = -1 }));
        }
    }

    [Activity("test.falsely-pure", Pure = true)]
    public sealed class FalselyPureActivity : IActivity
    {
        public ValueTask<ActivityResult> ExecuteAsync(ActivityContext context) =>
            ValueTask.FromResult(ActivityResult.Suspend(context.Time.GetUtcNow().AddMinutes(5)));
    }
}
