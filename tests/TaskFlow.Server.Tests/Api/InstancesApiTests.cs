using System.Net;
using System.Text.Json.Nodes;
using TaskFlow.Server.Tests.Infrastructure;

namespace TaskFlow.Server.Tests.Api;

public sealed class InstancesApiTests
{
    private const string Long = """{ "id": "long", "nodes": [ { "id": "wait", "type": "delay", "inputs": { "duration": "1h" } } ], "edges": [] }""";

    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task List_StatusFilterAndPaging_ReturnsMatchingPage(string provider)
    {
        await using var app = await TaskFlowApp.StartAsync(provider);
        await app.SaveAsync(Long);
        await app.SaveAsync(Samples.Pair("pair"));
        for (var i = 0; i < 3; i++)
        {
            (await app.Client.PostAsync("/api/definitions/long/run", null)).Dispose();
        }

        (await app.Client.PostAsync("/api/definitions/pair/run?wait=true", null)).Dispose();

        var running = await app.GetAsync<JsonObject>("/api/instances?status=Running&skip=0&take=50");
        var succeeded = await app.GetAsync<JsonObject>("/api/instances?status=succeeded");
        var page = await app.GetAsync<JsonObject>("/api/instances?skip=1&take=2");

        Assert.Equal(3, running["items"]!.AsArray().Count);
        Assert.All(running["items"]!.AsArray(), i => Assert.Equal("long", (string?)i!["definitionId"]));
        Assert.Equal("pair", (string?)succeeded["items"]!.AsArray().Single()!["definitionId"]);
        Assert.Equal(2, page["items"]!.AsArray().Count);
        Assert.Equal(1, (int?)page["skip"]);
    }

    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task List_BadQuery_Returns400ListingEachProblem(string provider)
    {
        await using var app = await TaskFlowApp.StartAsync(provider);

        using var response = await app.Client.GetAsync("/api/instances?status=Sleeping&skip=-1&take=5000");
        using var notNumber = await app.Client.GetAsync("/api/instances?take=many");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(3, (await TaskFlowApp.ReadAsync(response))["errors"]!.AsArray().Count);
        Assert.Equal(HttpStatusCode.BadRequest, notNumber.StatusCode);
        Assert.Contains("take", (string?)(await TaskFlowApp.ReadAsync(notNumber))["detail"]);
    }

    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task Get_Finished_ReturnsNodeStatesAndOutputs(string provider)
    {
        await using var app = await TaskFlowApp.StartAsync(provider);
        await app.SaveAsync(Samples.Pair("pair", "hi"));
        using var run = await app.Client.PostAsync("/api/definitions/pair/run?wait=true", null);
        var id = (string)(await TaskFlowApp.ReadAsync(run))["id"]!;

        var instance = await app.GetAsync<JsonObject>($"/api/instances/{id}");

        Assert.Equal("Succeeded", (string?)instance["status"]);
        var nodes = instance["nodes"]!.AsArray();
        Assert.Equal(["a", "b"], nodes.Select(n => (string)n!["nodeId"]!).ToArray());
        Assert.All(nodes, n => Assert.Equal("hi", (string?)n!["output"]));
    }

    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task Journal_After_ReturnsOnlyLaterEvents(string provider)
    {
        await using var app = await TaskFlowApp.StartAsync(provider);
        await app.SaveAsync(Samples.Pair("pair"));
        using var run = await app.Client.PostAsync("/api/definitions/pair/run?wait=true", null);
        var id = (string)(await TaskFlowApp.ReadAsync(run))["id"]!;

        var all = await app.GetAsync<JsonArray>($"/api/instances/{id}/journal");
        var firstId = (long)all[0]!["id"]!;
        var later = await app.GetAsync<JsonArray>($"/api/instances/{id}/journal?after={firstId}");

        Assert.True(all.Count >= 3, all.ToJsonString());
        Assert.Equal(all.Count - 1, later.Count);
        Assert.All(later, e => Assert.True((long)e!["id"]! > firstId));
        Assert.All(all, e => Assert.False(string.IsNullOrEmpty((string?)e!["type"])));
    }

    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task Cancel_Running_CancelsOnceThenConflicts(string provider)
    {
        await using var app = await TaskFlowApp.StartAsync(provider);
        await app.SaveAsync(Long);
        using var run = await app.Client.PostAsync("/api/definitions/long/run", null);
        var id = (string)(await TaskFlowApp.ReadAsync(run))["id"]!;

        using var cancel = await app.Client.PostAsync($"/api/instances/{id}/cancel", null);
        using var again = await app.Client.PostAsync($"/api/instances/{id}/cancel", null);

        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        Assert.Equal("Cancelled", (string?)(await TaskFlowApp.ReadAsync(cancel))["status"]);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains("Cancelled", (string?)(await TaskFlowApp.ReadAsync(again))["detail"]);
        Assert.Equal("Cancelled", (string?)(await app.GetAsync<JsonObject>($"/api/instances/{id}"))["status"]);
    }
}
