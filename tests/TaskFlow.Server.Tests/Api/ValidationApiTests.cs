using System.Net;
using System.Text.Json.Nodes;
using TaskFlow.Server.Tests.Infrastructure;

namespace TaskFlow.Server.Tests.Api;

public sealed class ValidationApiTests
{
    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task Validate_Valid_ReturnsValidAndStoresNothing(string provider)
    {
        await using var app = await TaskFlowApp.StartAsync(provider);

        using var response = await app.Client.PostAsync("/api/validate", TaskFlowApp.JsonBody(Samples.Read("hierarchical-tree")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await TaskFlowApp.ReadAsync(response);
        Assert.True((bool)body["valid"]!);
        Assert.Empty(body["problems"]!.AsArray());
        Assert.Empty(await app.GetAsync<JsonArray>("/api/definitions"));
    }

    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task Validate_Invalid_ListsEveryProblemAndStoresNothing(string provider)
    {
        await using var app = await TaskFlowApp.StartAsync(provider);

        using var response = await app.Client.PostAsync("/api/validate", TaskFlowApp.JsonBody("""
            { "id": "bad", "nodes": [ { "id": "a", "type": "nope" }, { "id": "b", "type": "alsonope" } ], "edges": [ { "from": "a", "to": "zzz" } ] }
            """));

        var body = await TaskFlowApp.ReadAsync(response);
        Assert.False((bool)body["valid"]!);
        var messages = string.Join("\n", body["problems"]!.AsArray().Select(p => (string?)p!["message"]));
        Assert.Contains("nope", messages);
        Assert.Contains("alsonope", messages);
        Assert.Contains("zzz", messages);
        Assert.Empty(await app.GetAsync<JsonArray>("/api/definitions"));
    }

    [Fact]
    public async Task Validate_ValidWithAWarning_IsValidAndListsTheWarning()
    {
        await using var app = await TaskFlowApp.StartAsync(TaskFlowApp.Sqlite);

        using var response = await app.Client.PostAsync("/api/validate", TaskFlowApp.JsonBody("""
            { "id": "answers", "nodes": [ { "id": "answer", "type": "http.respond", "inputs": { "status": 200 } } ] }
            """));

        var body = await TaskFlowApp.ReadAsync(response);
        Assert.True((bool)body["valid"]!, body.ToJsonString());
        Assert.Empty(body["problems"]!.AsArray());
        var warning = Assert.Single(body["warnings"]!.AsArray())!;
        Assert.Equal("node.http.respond.untriggered", (string?)warning["code"]);
    }
}
