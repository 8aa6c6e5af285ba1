using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using TaskFlow.Core.Activities;
using TaskFlow.Core.Model;
using TaskFlow.Engine.Activities;
using TaskFlow.Engine.Tests.Infrastructure;

namespace TaskFlow.Engine.Tests.Dispatch;

/// <summary>
/// The worker has no commit thread: the execution that finishes while no commit is under way
/// commits what has finished, then runs the first successor its commit kept (docs/engine.md,
/// "Dispatch"). These tests hold that hand-off to what a commit thread gave: every result is
/// committed once, however many finish together, and an activity that blocks its thread holds back
/// no one else's commit.
/// </summary>
public sealed class CommitHandOffTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    // Sixteen chains of 25 steps with side effects, and four fan-outs of 50 beside them, all at once:
    // results finish in every order, while a commit is under way and while none is. A result left
    // without a committer would leave its instance waiting for good.
    [Theory]
    [MemberData(nameof(TestEngine.Providers), MemberType = typeof(TestEngine))]
    public async Task ManyChainsAndAFanOutAtOnce_EveryStepCommitsOnce_EveryInstanceSucceeds(string provider)
    {
        await using var engine = await TestEngine.StartAsync(provider, activities: b => b.AddActivity<CountedActivity>());
        await engine.Runtime.SaveDefinitionAsync(Chain("handoff-chain", 25, "test.counted"));
        await engine.Runtime.SaveDefinitionAsync(FanOut.Definition("handoff-fanout", 50, branchType: "test.counted"));

        // Each instance with the number of its steps that count their runs.
        var started = new List<(string Id, int Counted)>();
        for (var i = 0; i < 16; i++)
        {
            started.Add((await engine.Runtime.StartAsync("handoff-chain"), 25));
            if (i % 4 == 0)
            {
                started.Add((await engine.Runtime.StartAsync("handoff-fanout"), 50));
            }
        }

        foreach (var (id, counted) in started)
        {
            var view = await engine.Runtime.WaitAsync(id, Wait);
            Assert.NotNull(view);
            view.AssertSucceeded();
            var runs = CountedActivity.Runs[id];
            Assert.Equal(counted, runs.Count);
            Assert.All(runs, r => Assert.Equal(1, r.Value));
        }
    }

    // s1 blocks its thread (no await) until the other instance, a chain of 30 steps with their own
    // commits, has finished. s1 is the successor kept by s0's commit, so it runs on the thread that
    // made that commit: the commit must be over, and the next commit free to be made by another
    // execution, before s1 starts. Were s1 run while its thread still held the commit, the chain
    // could not finish and the wait below would give up.
    [Theory]
    [MemberData(nameof(TestEngine.Providers), MemberType = typeof(TestEngine))]
    public async Task KeptSuccessorBlocksItsThread_OtherInstancesGoOnCommitting(string provider)
    {
        using var blocker = new BlockingActivity.Gate();
        await using var engine = await TestEngine.StartAsync(provider, activities: b => b.AddActivity<CountedActivity>().AddActivity<BlockingActivity>());
        await engine.Runtime.SaveDefinitionAsync(new JsonObject
        {
            ["id"] = "handoff-blocked",
            ["nodes"] = new JsonArray
            {
                new JsonObject { ["id"] = "s0", ["type"] = "test.counted" },
                new JsonObject { ["id"] = "s1", ["type"] = "test.blocking" },
            },
            ["edges"] = new JsonArray { new JsonObject { ["from"] = "s0", ["to"] = "s1" } },
        }.ToJsonString());
        await engine.Runtime.SaveDefinitionAsync(Chain("handoff-beside", 30, "test.counted"));

        var blocked = await engine.Runtime.StartAsync("handoff-blocked");
        Assert.True(blocker.Started.Wait(Wait), "The blocking step never started.");
        var beside = await engine.Runtime.StartAsync("handoff-beside");
        var besideView = await engine.Runtime.WaitAsync(beside, Wait);
        var stillBlocked = !blocker.Released.IsSet;
        blocker.Released.Set();
        var blockedView = await engine.Runtime.WaitAsync(blocked, Wait);

        Assert.NotNull(besideView);
        besideView.AssertSucceeded();
        Assert.True(stillBlocked, "The blocking step had been let go before the other instance finished.");
        Assert.NotNull(blockedView);
        blockedView.AssertSucceeded();
    }

    private static string Chain(string id, int steps, string type)
    {
        var nodes = new JsonArray();
        var edges = new JsonArray();
        for (var i = 0; i < steps; i++)
        {
            nodes.Add(new JsonObject { ["id"] = $"s{i}", ["type"] = type });
            if (i > 0)
            {
                edges.Add(new JsonObject { ["from"] = $"s{i - 1}", ["to"] = $"s{i}" });
            }
        }

        return new JsonObject { ["id"] = id, ["nodes"] = nodes, ["edges"] = edges }.ToJsonString();
    }

    /// <summary>A step with side effects: counts its runs per instance and node.</summary>
    [Activity("test.counted")]
    public sealed class CountedActivity : IActivity
    {
        public static readonly ConcurrentDictionary<string, ConcurrentDictionary<string, int>> Runs = new();

        public ValueTask<ActivityResult> ExecuteAsync(ActivityContext context)
        {
            Runs.GetOrAdd(context.InstanceId, _ => new()).AddOrUpdate(context.NodeId, 1, (_, n) => n + 1);
            return ValueTask.FromResult(ActivityResult.Succeeded());
        }
    }

    /// <summary>Blocks its thread, without awaiting, until the test lets it go (or a minute passes).</summary>
    [Activity("test.blocking")]
    public sealed class BlockingActivity : IActivity
    {
        private static Gate? _current;

        public ValueTask<ActivityResult> ExecuteAsync(ActivityContext context)
        {
            var gate = _current ?? throw new InvalidOperationException("No gate is set for test.blocking.");
            gate.Started.Set();
            gate.Released.Wait(Wait);
            return ValueTask.FromResult(ActivityResult.Succeeded());
        }

        public sealed class Gate : IDisposable
        {
            public Gate() => _current = this;

            public ManualResetEventSlim Started { get; } = new();

            public ManualResetEventSlim Released { get; } = new();

            public void Dispose()
            {
                Released.Set();
                _current = null;
            }
        }
    }
}
