using TaskFlow.Core.Model;
using TaskFlow.Core.Scheduling;
using TaskFlow.Engine.Tests.Infrastructure;

namespace TaskFlow.Engine.Tests.Scheduling;

public sealed class ForkJoinTests
{
    //         ┌──> left ──┐
    //  start ─┤           ├──> join(WaitAll) ──> end
    //         └──> right ─┘
    [Theory]
    [MemberData(nameof(TestEngine.Providers), MemberType = typeof(TestEngine))]
    public async Task WaitAll_BothBranchesArrive_JoinRunsAfterBoth(string provider)
    {
        await using var engine = await TestEngine.StartAsync(provider);
        var view = await engine.RunAsync("""
            {
              "id": "fork-join",
              "nodes": [
                { "id": "start", "type": "noop" },
                { "id": "left", "type": "transform", "inputs": { "value": "L" } },
                { "id": "right", "type": "sleep", "inputs": { "duration": "100ms" } },
                { "id": "join", "type": "join", "inputs": { "mode": "WaitAll" } },
                { "id": "end", "type": "transform", "inputs": { "value": "{{ nodes.left.output }}+{{ nodes.right.status }}" } }
              ],
              "edges": [
                { "from": "start", "to": "left" }, { "from": "start", "to": "right" },
                { "from": "left", "to": "join" }, { "from": "right", "to": "join" },
                { "from": "join", "to": "end" }
              ]
            }
            """);

        view.AssertSucceeded();
        Assert.Equal("L+Succeeded", view.Node("end").Output!.GetValue<string>());
        var journal = await engine.Runtime.GetJournalAsync(view.Id);
        var joinScheduled = journal.Single(j => j.NodeId == "join" && j.Type == JournalEventType.NodeScheduled).Id;
        Assert.All(journal.Where(j => j.NodeId is "left" or "right" && j.Type == JournalEventType.NodeSucceeded), j => Assert.True(j.Id < joinScheduled));
    }

    //         ┌──> left ───────────────┐
    //  start ─┤                        ├──> join(mode) ──> end
    //         └─[false]─> right ───────┘
    [Theory]
    [InlineData(TestEngine.Sqlite, "WaitAllActive", NodeStatus.Succeeded)]
    [InlineData(TestEngine.Postgres, "WaitAllActive", NodeStatus.Succeeded)]
    [InlineData(TestEngine.Sqlite, "WaitAll", NodeStatus.Skipped)]
    [InlineData(TestEngine.Postgres, "WaitAll", NodeStatus.Skipped)]
    public async Task Join_OneBranchNotTaken_DependsOnMode(string provider, string mode, NodeStatus expected)
    {
        await using var engine = await TestEngine.StartAsync(provider);
        var view = await engine.RunAsync($$"""
            {
              "id": "join-dead-branch",
              "nodes": [
                { "id": "start", "type": "noop" },
                { "id": "left", "type": "noop" },
                { "id": "right", "type": "noop" },
                { "id": "join", "type": "join", "inputs": { "mode": "{{mode}}" } },
                { "id": "end", "type": "noop" }
              ],
              "edges": [
                { "from": "start", "to": "left" }, { "from": "start", "to": "right", "condition": "false" },
                { "from": "left", "to": "join" }, { "from": "right", "to": "join" },
                { "from": "join", "to": "end" }
              ]
            }
            """);

        view.AssertSucceeded();
        Assert.Equal(NodeStatus.Skipped, view.StatusOf("right"));
        Assert.Equal(expected, view.StatusOf("join"));
        Assert.Equal(expected, view.StatusOf("end"));
        if (expected == NodeStatus.Skipped)
        {
            var journal = await engine.Runtime.GetJournalAsync(view.Id);
            var skip = journal.Single(j => j.NodeId == "join" && j.Type == JournalEventType.NodeSkipped);
            Assert.Contains("WaitAllActive", skip.Message);
        }
    }

    //         ┌──> fast ──────────────────┐
    //  start ─┤                           ├──> join(WaitAny) ──> end
    //         └──> slow1 ──> slow2 ───────┘
    [Theory]
    [MemberData(nameof(TestEngine.Providers), MemberType = typeof(TestEngine))]
    public async Task WaitAny_FirstBranchWins_LosersSkippedAndJournaled(string provider)
    {
        await using var engine = await TestEngine.StartAsync(provider);
        var view = await engine.RunAsync("""
            {
              "id": "race",
              "nodes": [
                { "id": "start", "type": "noop" },
                { "id": "fast", "type": "transform", "inputs": { "value": "won" } },
                { "id": "slow1", "type": "sleep", "inputs": { "duration": "1h" } },
                { "id": "slow2", "type": "noop" },
                { "id": "join", "type": "join", "inputs": { "mode": "WaitAny" } },
                { "id": "end", "type": "transform", "inputs": { "value": "{{ nodes.fast.output }}" } }
              ],
              "edges": [
                { "from": "start", "to": "fast" }, { "from": "start", "to": "slow1" },
                { "from": "slow1", "to": "slow2" },
                { "from": "fast", "to": "join" }, { "from": "slow2", "to": "join" },
                { "from": "join", "to": "end" }
              ]
            }
            """);

        view.AssertSucceeded();
        Assert.Equal("won", view.Node("end").Output!.GetValue<string>());
        Assert.Equal(NodeStatus.Skipped, view.StatusOf("slow1"));
        Assert.Equal(NodeStatus.Skipped, view.StatusOf("slow2"));
        var journal = await engine.Runtime.GetJournalAsync(view.Id);
        var lost = journal.Where(j => j.Type == JournalEventType.NodeSkipped).ToArray();
        Assert.Contains(lost, j => j.NodeId == "slow1" && j.Message!.Contains("lost to 'fast' at WaitAny join 'join'", StringComparison.Ordinal));
        Assert.Contains(lost, j => j.NodeId == "slow2");
        Assert.DoesNotContain(journal, j => j.NodeId is "slow1" or "slow2" && j.Type == JournalEventType.NodeSucceeded);
        // slow1 sleeps for an hour: had the join waited for it, RunAsync would have timed out.
    }
}
