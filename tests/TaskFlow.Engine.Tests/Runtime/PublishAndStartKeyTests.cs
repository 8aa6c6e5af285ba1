using System.Text.Json.Nodes;
using TaskFlow.Core.Model;
using TaskFlow.Engine.Persistence;
using TaskFlow.Engine.Tests.Infrastructure;

namespace TaskFlow.Engine.Tests.Runtime;

public sealed class PublishAndStartKeyTests
{
    private static string Answer(int value) => $$"""
        { "id": "answer", "nodes": [ { "id": "a", "type": "transform", "inputs": { "value": {{value}} } } ], "edges": [] }
        """;

    [Theory]
    [MemberData(nameof(TestEngine.Providers), MemberType = typeof(TestEngine))]
    public async Task Draft_IsStoredButRunsByIdUseThePublishedVersion_UntilItIsPublished(string provider)
    {
        await using var engine = await TestEngine.StartAsync(provider);
        var one = await engine.Runtime.SaveDefinitionAsync(Answer(1));
        var draft = await engine.Runtime.SaveDefinitionAsync(Answer(2), publish: false);
        Assert.True(one.IsPublished);
        Assert.False(draft.IsPublished);
        Assert.Equal(2, draft.Version);

        Assert.Equal(1, await RunByIdAsync(engine));
        var listed = Assert.Single(await engine.Runtime.ListDefinitionsAsync());
        Assert.Equal((2, 1), (listed.Version, listed.PublishedVersion));
        var explicitDraft = await engine.Runtime.StartAsync("answer", version: 2);
        Assert.Equal(2, (await engine.Runtime.WaitAsync(explicitDraft, TimeSpan.FromSeconds(30)))!.Node("a").Output!.GetValue<int>());

        var published = await engine.Runtime.PublishDefinitionAsync("answer");
        Assert.Equal((2, true), (published!.Version, published.IsPublished));
        Assert.Equal(2, await RunByIdAsync(engine));
        Assert.False((await engine.Runtime.GetDefinitionAsync("answer", 1))!.IsPublished);

        Assert.NotNull(await engine.Runtime.PublishDefinitionAsync("answer", 1));
        Assert.Equal(1, await RunByIdAsync(engine));
        Assert.Null(await engine.Runtime.PublishDefinitionAsync("answer", 9));
        Assert.Null(await engine.Runtime.PublishDefinitionAsync("nope"));
        Assert.Equal(1, await RunByIdAsync(engine));
    }

    [Theory]
    [MemberData(nameof(TestEngine.Providers), MemberType = typeof(TestEngine))]
    public async Task OnlyDrafts_StartByIdNamesTheProblem(string provider)
    {
        await using var engine = await TestEngine.StartAsync(provider);
        await engine.Runtime.SaveDefinitionAsync(Answer(1), publish: false);

        var error = await Assert.ThrowsAsync<WorkflowNotFoundException>(() => engine.Runtime.StartAsync("answer"));
        Assert.Equal("Workflow 'answer' is not stored.", error.Message);
    }

    [Theory]
    [MemberData(nameof(TestEngine.Providers), MemberType = typeof(TestEngine))]
    public async Task StartKey_ConcurrentStartsWithOneKey_StartOneInstance(string provider)
    {
        await using var engine = await TestEngine.StartAsync(provider);
        await engine.Runtime.SaveDefinitionAsync(Answer(7));

        var starts = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => Task.Run(() => engine.Runtime.StartAsync("answer", null, null, "tick:2026-11-24T15:00:00Z"))));
        var other = await engine.Runtime.StartAsync("answer", null, null, "tick:2026-11-24T15:01:00Z");

        Assert.Single(starts, s => s.Created);
        Assert.Single(starts.Select(s => s.InstanceId).Distinct());
        Assert.True(other.Created);
        Assert.NotEqual(starts[0].InstanceId, other.InstanceId);
        var all = await engine.Runtime.ListInstancesAsync();
        Assert.Equal(2, all.Count);
    }

    private static async Task<int> RunByIdAsync(TestEngine engine)
    {
        var id = await engine.Runtime.StartAsync("answer", new JsonObject());
        var view = await engine.Runtime.WaitAsync(id, TimeSpan.FromSeconds(30));
        Assert.Equal(InstanceStatus.Succeeded, view!.Status);
        return view.Node("a").Output!.GetValue<int>();
    }
}
