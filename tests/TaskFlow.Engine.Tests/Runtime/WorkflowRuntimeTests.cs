using TaskFlow.Core.Model;
using TaskFlow.Core.Scheduling;
using TaskFlow.Core.Validation;
using TaskFlow.Engine.Persistence;
using TaskFlow.Engine.Runtime;
using TaskFlow.Engine.Tests.Infrastructure;

namespace TaskFlow.Engine.Tests.Runtime;

public sealed class WorkflowRuntimeTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    // versioned v1:  wait(delay 1m) ──> done { version: 1 }
    private const string VersionOne = """
        {
          "id": "versioned",
          "nodes": [
            { "id": "wait", "type": "delay", "inputs": { "duration": "1m" } },
            { "id": "done", "type": "transform", "inputs": { "value": { "version": 1 } } }
          ],
          "edges": [ { "from": "wait", "to": "done" } ],
          "output": "{{ nodes.done.output }}"
        }
        """;

    // versioned v2:  done { version: 2 }
    private const string VersionTwo = """
        {
          "id": "versioned",
          "nodes": [ { "id": "done", "type": "transform", "inputs": { "value": { "version": 2 } } } ],
          "edges": [],
          "output": "{{ nodes.done.output }}"
        }
        """;

    // quick:  done { ok: true }
    private const string Quick = """
        { "id": "quick", "nodes": [ { "id": "done", "type": "transform", "inputs": { "value": { "ok": true } } } ], "edges": [], "output": "{{ nodes.done.output }}" }
        """;

    // failing:  boom(fail)
    private const string Failing = """
        { "id": "failing", "nodes": [ { "id": "boom", "type": "fail", "inputs": { "message": "on purpose" } } ], "edges": [] }
        """;

    // slow:  wait(delay 1m)
    private const string Slow = """
        { "id": "slow", "nodes": [ { "id": "wait", "type": "delay", "inputs": { "duration": "1m" } } ], "edges": [] }
        """;

    [Theory]
    [MemberData(nameof(TestEngine.Providers), MemberType = typeof(TestEngine))]
    public async Task SaveDefinitionAsync_SameIdTwice_StoresVersionsOneAndTwo(string provider)
    {
        await using var engine = await TestEngine.StartAsync(provider);

        var first = await engine.Runtime.SaveDefinitionAsync(VersionOne);
        var second = await engine.Runtime.SaveDefinitionAsync(VersionTwo);

        Assert.Equal((1, 2), (first.Version, second.Version));
        var latest = await engine.Runtime.GetDefinitionAsync("versioned");
        Assert.NotNull(latest);
        Assert.Equal(2, latest.Version);
        Assert.Equal(2, latest.Definition.Version);
        Assert.Equal(["done"], latest.Definition.Nodes.Select(n => n.Id));
        var one = await engine.Runtime.GetDefinitionAsync("versioned", 1);
        Assert.NotNull(one);
        Assert.Equal(1, one.Version);
        Assert.Equal(["wait", "done"], one.Definition.Nodes.Select(n => n.Id));
        Assert.Null(await engine.Runtime.GetDefinitionAsync("versioned", 3));
        var listed = Assert.Single(await engine.Runtime.ListDefinitionsAsync());
        Assert.Equal(("versioned", 2), (listed.Id, listed.Version));
    }

    [Theory]
    [MemberData(nameof(TestEngine.Providers), MemberType = typeof(TestEngine))]
    public async Task ListDefinitionsAsync_SeveralIdsAndVersions_ReturnsTheLatestOfEachById(string provider)
    {
        await using var engine = await TestEngine.StartAsync(provider);
        await engine.Runtime.SaveDefinitionAsync(Slow);
        await engine.Runtime.SaveDefinitionAsync(VersionOne);
        await engine.Runtime.SaveDefinitionAsync(Quick);
        await engine.Runtime.SaveDefinitionAsync(VersionTwo);
        await engine.Runtime.SaveDefinitionAsync(Quick);
        await engine.Runtime.SaveDefinitionAsync(Quick);

        var listed = await engine.Runtime.ListDefinitionsAsync();

        Assert.Equal([("quick", 3), ("slow", 1), ("versioned", 2)], listed.Select(d => (d.Id, d.Version)));
        Assert.All(listed, d => Assert.Equal(d.Version, d.Definition.Version));
        Assert.Equal(["done"], listed.Single(d => d.Id == "versioned").Definition.Nodes.Select(n => n.Id));
    }

    [Theory]
    [MemberData(nameof(TestEngine.Providers), MemberType = typeof(TestEngine))]
    public async Task StartAsync_NewVersionSavedWhileRunning_InstanceKeepsItsVersion(string provider)
    {
        await using var engine = await TestEngine.StartAsync(provider);
        await engine.Runtime.SaveDefinitionAsync(VersionOne);
        var running = await engine.Runtime.StartAsync("versioned");
        await WaitForNodeAsync(engine, running, "wait", NodeStatus.Waiting);

        await engine.Runtime.SaveDefinitionAsync(VersionTwo);

        var old = await engine.Runtime.GetInstanceAsync(running);
        Assert.NotNull(old);
        Assert.Equal((InstanceStatus.Running, 1), (old.Status, old.DefinitionVersion));
        Assert.Equal(NodeStatus.Waiting, old.StatusOf("wait"));
        var fresh = await engine.Runtime.WaitAsync(await engine.Runtime.StartAsync("versioned"), Timeout);
        Assert.NotNull(fresh);
        fresh.AssertSucceeded();
        Assert.Equal(2, fresh.DefinitionVersion);
        Assert.Equal(2, fresh.Output!["version"]!.GetValue<int>());
        var pinned = await engine.Runtime.GetInstanceAsync(await engine.Runtime.StartAsync("versioned", version: 1));
        Assert.Equal(1, pinned!.DefinitionVersion);

        Assert.True(await engine.Runtime.CancelAsync(running));
        var cancelled = await engine.Runtime.GetInstanceAsync(running);
        Assert.Equal((InstanceStatus.Cancelled, 1), (cancelled!.Status, cancelled.DefinitionVersion));
    }

    [Theory]
    [MemberData(nameof(TestEngine.Providers), MemberType = typeof(TestEngine))]
    public async Task SaveDefinitionAsync_InvalidDocument_ThrowsListingEveryProblemAndKeepsTheStoredVersion(string provider)
    {
        await using var engine = await TestEngine.StartAsync(provider);
        await engine.Runtime.SaveDefinitionAsync(Quick);

        // a(transform, no value) ──> nowhere      b(teleport)      c(noop, tier 9)
        var error = await Assert.ThrowsAsync<WorkflowValidationException>(() => engine.Runtime.SaveDefinitionAsync("""
            {
              "id": "quick",
              "nodes": [
                { "id": "a", "type": "transform" },
                { "id": "b", "type": "teleport" },
                { "id": "c", "type": "noop", "tier": 9 }
              ],
              "edges": [ { "from": "a", "to": "nowhere" } ]
            }
            """));

        var codes = error.Problems.Select(p => p.Code).ToArray();
        Assert.Contains("node.input.missing", codes);
        Assert.Contains("node.type.unknown", codes);
        Assert.Contains("node.tier.invalid", codes);
        Assert.Contains("edge.dangling.to", codes);
        Assert.Contains($"({error.Problems.Count} problems)", error.Message);
        Assert.All(error.Problems, p => Assert.Contains(p.Message, error.Message));
        Assert.Contains(error.Problems, p => p.Target == "node 'a'" && p.Message.Contains("'value'", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.Target == "node 'b'" && p.Message.Contains("'teleport'", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.Target == "edge 'a->nowhere'");

        var latest = await engine.Runtime.GetDefinitionAsync("quick");
        Assert.Equal(1, latest!.Version);
        var view = await engine.Runtime.WaitAsync(await engine.Runtime.StartAsync("quick"), Timeout);
        Assert.NotNull(view);
        view.AssertSucceeded();
        Assert.Equal(1, view.DefinitionVersion);
        Assert.True(view.Output!["ok"]!.GetValue<bool>());
    }

    [Theory]
    [MemberData(nameof(TestEngine.Providers), MemberType = typeof(TestEngine))]
    public async Task SaveDefinitionAsync_MalformedJson_RejectsNamingLineAndColumn(string provider)
    {
        await using var engine = await TestEngine.StartAsync(provider);
        // Line 4 lacks the comma before "type", which starts at column 17.
        const string json = """
            {
              "id": "broken",
              "nodes": [
                { "id": "a" "type": "noop" }
              ],
              "edges": []
            }
            """;

        var error = await Assert.ThrowsAsync<WorkflowValidationException>(() => engine.Runtime.SaveDefinitionAsync(json));

        var problem = Assert.Single(error.Problems);
        Assert.Equal("json.malformed", problem.Code);
        Assert.Contains("line 4, column 17", problem.Message);
        Assert.Contains("line 4, column 17", error.Message);
        Assert.Equal(problem, Assert.Single(await engine.Runtime.ValidateAsync(json)));
        Assert.Null(await engine.Runtime.GetDefinitionAsync("broken"));
    }

    [Theory]
    [MemberData(nameof(TestEngine.Providers), MemberType = typeof(TestEngine))]
    public async Task SaveDefinitionAsync_UnknownNodeMember_RejectsNamingLineColumnAndPath(string provider)
    {
        await using var engine = await TestEngine.StartAsync(provider);

        var error = await Assert.ThrowsAsync<WorkflowValidationException>(() => engine.Runtime.SaveDefinitionAsync("""
            {
              "id": "broken",
              "nodes": [
                { "id": "a", "type": "noop", "colour": "red" }
              ],
              "edges": []
            }
            """));

        var problem = Assert.Single(error.Problems);
        Assert.Equal(("json.malformed", "$.nodes[0].colour"), (problem.Code, problem.Target));
        Assert.Contains("line 4, column 34", problem.Message);
    }

    [Theory]
    [MemberData(nameof(TestEngine.Providers), MemberType = typeof(TestEngine))]
    public async Task StartAsync_UnknownId_ThrowsNotFoundNamingIt(string provider)
    {
        await using var engine = await TestEngine.StartAsync(provider);

        var error = await Assert.ThrowsAsync<WorkflowNotFoundException>(() => engine.Runtime.StartAsync("no-such-flow"));

        Assert.Equal("no-such-flow", error.DefinitionId);
        Assert.Null(error.Version);
        Assert.Contains("'no-such-flow'", error.Message);
        Assert.Empty(await engine.Runtime.ListInstancesAsync());
    }

    [Theory]
    [MemberData(nameof(TestEngine.Providers), MemberType = typeof(TestEngine))]
    public async Task StartAsync_UnknownVersion_ThrowsNotFoundNamingIt(string provider)
    {
        await using var engine = await TestEngine.StartAsync(provider);
        await engine.Runtime.SaveDefinitionAsync(Quick);

        var error = await Assert.ThrowsAsync<WorkflowNotFoundException>(() => engine.Runtime.StartAsync("quick", version: 7));

        Assert.Equal(("quick", 7), (error.DefinitionId, error.Version));
        Assert.Contains("'quick'", error.Message);
        Assert.Contains("version 7", error.Message);
    }

    [Theory]
    [MemberData(nameof(TestEngine.Providers), MemberType = typeof(TestEngine))]
    public async Task PurgeAsync_FinishedAndRunningInstances_RemovesOnlyTheFinished(string provider)
    {
        await using var engine = await SaveAllAsync(provider);
        var succeeded = (await RunAsync(engine, "quick", 1, InstanceStatus.Succeeded))[0];
        var failed = (await RunAsync(engine, "failing", 1, InstanceStatus.Failed))[0];
        var running = await engine.Runtime.StartAsync("slow");
        await WaitForNodeAsync(engine, running, "wait", NodeStatus.Waiting);
        var runningJournal = await engine.Runtime.GetJournalAsync(running);
        Assert.NotEmpty(await engine.Runtime.GetJournalAsync(succeeded));
        Assert.NotEmpty(await engine.Runtime.GetJournalAsync(failed));

        Assert.Equal(0, await engine.Runtime.PurgeAsync(TimeSpan.FromHours(1)));
        Assert.Equal(3, (await engine.Runtime.ListInstancesAsync()).Count);

        // A negative age puts the cut-off in the future, so every finished instance counts
        // without waiting for the clock to move past their finish times.
        Assert.Equal(2, await engine.Runtime.PurgeAsync(TimeSpan.FromSeconds(-1)));

        foreach (var purged in new[] { succeeded, failed })
        {
            Assert.Null(await engine.Runtime.GetInstanceAsync(purged));
            Assert.Empty(await engine.Runtime.GetJournalAsync(purged));
        }

        var survivor = await engine.Runtime.GetInstanceAsync(running);
        Assert.NotNull(survivor);
        Assert.Equal(InstanceStatus.Running, survivor.Status);
        Assert.Equal(NodeStatus.Waiting, survivor.StatusOf("wait"));
        Assert.Equal(runningJournal.Select(e => e.Id), (await engine.Runtime.GetJournalAsync(running)).Select(e => e.Id));
        Assert.Equal([running], (await engine.Runtime.ListInstancesAsync()).Select(i => i.Id));

        // Once it has finished, it is purged like the others.
        Assert.True(await engine.Runtime.CancelAsync(running));
        Assert.Equal(1, await engine.Runtime.PurgeAsync(TimeSpan.FromSeconds(-1)));
        Assert.Empty(await engine.Runtime.ListInstancesAsync());
    }

    [Theory]
    [MemberData(nameof(TestEngine.Providers), MemberType = typeof(TestEngine))]
    public async Task ListInstancesAsync_StatusSkipAndTake_FiltersAndPages(string provider)
    {
        await using var engine = await SaveAllAsync(provider);
        var succeeded = await RunAsync(engine, "quick", 3, InstanceStatus.Succeeded);
        var failed = (await RunAsync(engine, "failing", 1, InstanceStatus.Failed))[0];
        var running = new[] { await engine.Runtime.StartAsync("slow"), await engine.Runtime.StartAsync("slow") };

        var all = await engine.Runtime.ListInstancesAsync();
        Assert.Equal(6, all.Count);
        Assert.Equal(all.Select(i => i.CreatedAt).OrderDescending(), all.Select(i => i.CreatedAt));
        AssertSameIds(succeeded, await engine.Runtime.ListInstancesAsync(InstanceStatus.Succeeded));
        AssertSameIds([failed], await engine.Runtime.ListInstancesAsync(InstanceStatus.Failed));
        AssertSameIds(running, await engine.Runtime.ListInstancesAsync(InstanceStatus.Running));
        Assert.Empty(await engine.Runtime.ListInstancesAsync(InstanceStatus.Cancelled));

        var page1 = await engine.Runtime.ListInstancesAsync(skip: 0, take: 4);
        var page2 = await engine.Runtime.ListInstancesAsync(skip: 4, take: 4);
        var page3 = await engine.Runtime.ListInstancesAsync(skip: 8, take: 4);
        Assert.Equal((4, 2, 0), (page1.Count, page2.Count, page3.Count));
        Assert.Equal(all.Select(i => i.Id), page1.Concat(page2).Select(i => i.Id));

        var succeededInOrder = await engine.Runtime.ListInstancesAsync(InstanceStatus.Succeeded);
        var second = Assert.Single(await engine.Runtime.ListInstancesAsync(InstanceStatus.Succeeded, skip: 1, take: 1));
        Assert.Equal(succeededInOrder[1].Id, second.Id);
    }

    [Theory]
    [MemberData(nameof(TestEngine.Providers), MemberType = typeof(TestEngine))]
    public async Task GetJournalAsync_AfterId_ReturnsOnlyNewerEvents(string provider)
    {
        await using var engine = await TestEngine.StartAsync(provider);
        await engine.Runtime.SaveDefinitionAsync(Slow);
        var id = await engine.Runtime.StartAsync("slow");
        await WaitForNodeAsync(engine, id, "wait", NodeStatus.Waiting);
        var before = await engine.Runtime.GetJournalAsync(id);
        Assert.True(before.Count >= 3, $"Expected started, scheduled, suspended...; got {Describe(before)}");
        Assert.Equal(before.Select(e => e.Id).Order(), before.Select(e => e.Id));
        var last = before[^1].Id;

        Assert.Empty(await engine.Runtime.GetJournalAsync(id, last));
        Assert.Equal(before.Skip(2).Select(e => e.Id), (await engine.Runtime.GetJournalAsync(id, before[1].Id)).Select(e => e.Id));

        Assert.True(await engine.Runtime.CancelAsync(id));
        var after = await engine.Runtime.GetJournalAsync(id, last);

        Assert.NotEmpty(after);
        Assert.All(after, e => Assert.True(e.Id > last, $"Event {e.Id} ({e.Type}) is not after {last}."));
        Assert.Contains(after, e => e.Type == JournalEventType.InstanceCancelled);
        Assert.DoesNotContain(after, e => e.Type is JournalEventType.InstanceStarted or JournalEventType.NodeSuspended);
        Assert.Equal((await engine.Runtime.GetJournalAsync(id)).Select(e => e.Id), before.Concat(after).Select(e => e.Id));
    }

    private static async Task<TestEngine> SaveAllAsync(string provider)
    {
        var engine = await TestEngine.StartAsync(provider);
        try
        {
            foreach (var json in new[] { Quick, Failing, Slow })
            {
                await engine.Runtime.SaveDefinitionAsync(json);
            }

            return engine;
        }
        catch
        {
            await engine.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts <paramref name="count"/> instances one after the other, then waits for all of them to end as expected.</summary>
    private static async Task<string[]> RunAsync(TestEngine engine, string definitionId, int count, InstanceStatus expected)
    {
        var ids = new string[count];
        for (var i = 0; i < count; i++)
        {
            ids[i] = await engine.Runtime.StartAsync(definitionId);
        }

        foreach (var id in ids)
        {
            var view = await engine.Runtime.WaitAsync(id, Timeout);
            Assert.Equal(expected, view?.Status);
        }

        return ids;
    }

    private static async Task WaitForNodeAsync(TestEngine engine, string instanceId, string nodeId, NodeStatus status)
    {
        var deadline = DateTimeOffset.UtcNow + Timeout;
        InstanceView? view;
        do
        {
            view = await engine.Runtime.GetInstanceAsync(instanceId);
            if (view?.StatusOf(nodeId) == status)
            {
                return;
            }

            await Task.Delay(20);
        }
        while (DateTimeOffset.UtcNow < deadline);

        throw new Xunit.Sdk.XunitException($"Node '{nodeId}' of {instanceId} is {view?.StatusOf(nodeId)}, not {status}, after {Timeout}.");
    }

    private static void AssertSameIds(IEnumerable<string> expected, IReadOnlyList<InstanceView> actual) =>
        Assert.Equal(expected.Order(StringComparer.Ordinal), actual.Select(i => i.Id).Order(StringComparer.Ordinal));

    private static string Describe(IEnumerable<JournalEventView> events) => string.Join(", ", events.Select(e => $"{e.Id}:{e.Type}"));
}
