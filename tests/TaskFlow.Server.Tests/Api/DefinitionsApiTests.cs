using System.Net;
using System.Text.Json.Nodes;
using TaskFlow.Server.Tests.Infrastructure;

namespace TaskFlow.Server.Tests.Api;

public sealed class DefinitionsApiTests
{
    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task Post_NewThenSameId_CreatesVersionsOneAndTwo(string provider)
    {
        await using var app = await TaskFlowApp.StartAsync(provider);

        using var first = await app.Client.PostAsync("/api/definitions", TaskFlowApp.JsonBody(Samples.Pair("pair", "one")));
        using var second = await app.Client.PostAsync("/api/definitions", TaskFlowApp.JsonBody(Samples.Pair("pair", "two")));

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        var body = await TaskFlowApp.ReadAsync(second);
        Assert.Equal("pair", (string?)body["id"]);
        Assert.Equal(2, (int?)body["version"]);
        Assert.Equal("/api/definitions/pair?version=2", second.Headers.Location?.OriginalString);
        Assert.Equal("two", (string?)body["definition"]!["nodes"]![0]!["inputs"]!["value"]);
    }

    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task Put_MatchingId_StoresNextVersion(string provider)
    {
        await using var app = await TaskFlowApp.StartAsync(provider);
        await app.SaveAsync(Samples.Pair("pair", "one"));

        using var response = await app.Client.PutAsync("/api/definitions/pair", TaskFlowApp.JsonBody(Samples.Pair("pair", "two")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, (int?)(await TaskFlowApp.ReadAsync(response))["version"]);
        var latest = await app.GetAsync<JsonObject>("/api/definitions/pair");
        Assert.Equal(2, (int?)latest["version"]);
    }

    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task Put_BodyIdDiffers_Returns400AndStoresNothing(string provider)
    {
        await using var app = await TaskFlowApp.StartAsync(provider);
        await app.SaveAsync(Samples.Pair("pair"));

        using var response = await app.Client.PutAsync("/api/definitions/pair", TaskFlowApp.JsonBody(Samples.Pair("other")));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("'other'", (string?)(await TaskFlowApp.ReadAsync(response))["detail"]);
        Assert.Single(await app.GetAsync<JsonArray>("/api/definitions"));
        Assert.Single(await app.GetAsync<JsonArray>("/api/definitions/pair/versions"));
    }

    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task Put_UnknownId_Returns404(string provider)
    {
        await using var app = await TaskFlowApp.StartAsync(provider);

        using var response = await app.Client.PutAsync("/api/definitions/ghost", TaskFlowApp.JsonBody(Samples.Pair("ghost")));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("'ghost'", (string?)(await TaskFlowApp.ReadAsync(response))["detail"]);
        Assert.Empty(await app.GetAsync<JsonArray>("/api/definitions"));
    }

    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task GetList_TwoIds_ReturnsLatestOfEach(string provider)
    {
        await using var app = await TaskFlowApp.StartAsync(provider);
        await app.SaveAsync(Samples.Pair("alpha"));
        await app.SaveAsync(Samples.Pair("alpha", "again"));
        await app.SaveAsync(Samples.Pair("beta"));

        var list = await app.GetAsync<JsonArray>("/api/definitions");

        Assert.Equal(["alpha:2", "beta:1"], list.Select(d => $"{d!["id"]}:{d["version"]}").ToArray());
    }

    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task Get_ByVersion_ReturnsThatVersion(string provider)
    {
        await using var app = await TaskFlowApp.StartAsync(provider);
        await app.SaveAsync(Samples.Pair("pair", "one"));
        await app.SaveAsync(Samples.Pair("pair", "two"));

        var first = await app.GetAsync<JsonObject>("/api/definitions/pair?version=1");
        var latest = await app.GetAsync<JsonObject>("/api/definitions/pair");

        Assert.Equal("one", (string?)first["definition"]!["nodes"]![0]!["inputs"]!["value"]);
        Assert.Equal(2, (int?)latest["version"]);
    }

    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task Get_UnknownIdOrVersion_Returns404NamingIt(string provider)
    {
        await using var app = await TaskFlowApp.StartAsync(provider);
        await app.SaveAsync(Samples.Pair("pair"));

        using var unknownId = await app.Client.GetAsync("/api/definitions/ghost");
        using var unknownVersion = await app.Client.GetAsync("/api/definitions/pair?version=9");
        using var unknownVersions = await app.Client.GetAsync("/api/definitions/ghost/versions");

        Assert.Equal(HttpStatusCode.NotFound, unknownId.StatusCode);
        Assert.Equal("application/problem+json", unknownId.Content.Headers.ContentType?.MediaType);
        Assert.Contains("'ghost'", (string?)(await TaskFlowApp.ReadAsync(unknownId))["detail"]);
        Assert.Equal(HttpStatusCode.NotFound, unknownVersion.StatusCode);
        Assert.Contains("version 9", (string?)(await TaskFlowApp.ReadAsync(unknownVersion))["detail"]);
        Assert.Equal(HttpStatusCode.NotFound, unknownVersions.StatusCode);
    }

    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task GetVersions_ThreeSaves_ListsOneToThree(string provider)
    {
        await using var app = await TaskFlowApp.StartAsync(provider);
        for (var i = 0; i < 3; i++)
        {
            await app.SaveAsync(Samples.Pair("pair", $"v{i}"));
        }

        var versions = await app.GetAsync<JsonArray>("/api/definitions/pair/versions");

        Assert.Equal([1, 2, 3], versions.Select(v => (int)v!["version"]!).ToArray());
    }

    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task Delete_Stored_HidesItButRunningInstanceFinishes(string provider)
    {
        await using var app = await TaskFlowApp.StartAsync(provider);
        await app.SaveAsync("""
            { "id": "slow", "nodes": [
                { "id": "wait", "type": "delay", "inputs": { "duration": "2s" } },
                { "id": "done", "type": "transform", "inputs": { "value": "finished" } } ],
              "edges": [ { "from": "wait", "to": "done" } ] }
            """);
        using var run = await app.Client.PostAsync("/api/definitions/slow/run", null);
        var instanceId = (string)(await TaskFlowApp.ReadAsync(run))["id"]!;

        using var delete = await app.Client.DeleteAsync("/api/definitions/slow");
        using var again = await app.Client.DeleteAsync("/api/definitions/slow");
        using var get = await app.Client.GetAsync("/api/definitions/slow");
        using var getVersion = await app.Client.GetAsync("/api/definitions/slow?version=1");
        using var start = await app.Client.PostAsync("/api/definitions/slow/run", null);

        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, getVersion.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, start.StatusCode);
        Assert.Empty(await app.GetAsync<JsonArray>("/api/definitions"));
        var finished = await WaitFinishedAsync(app, instanceId);
        Assert.Equal("Succeeded", (string?)finished["status"]);
        Assert.Equal("finished", (string?)finished["output"]!["done"]);
    }

    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task Post_AfterDelete_StartsNewVersionAfterDeletedOnes(string provider)
    {
        await using var app = await TaskFlowApp.StartAsync(provider);
        await app.SaveAsync(Samples.Pair("pair"));
        await app.Client.DeleteAsync("/api/definitions/pair");

        var saved = await app.SaveAsync(Samples.Pair("pair"));

        Assert.Equal(2, (int?)saved["version"]);
        var versions = await app.GetAsync<JsonArray>("/api/definitions/pair/versions");
        Assert.Equal(new[] { 2 }, versions.Select(v => (int)v!["version"]!).ToArray());
    }

    internal static async Task<JsonObject> WaitFinishedAsync(TaskFlowApp app, string instanceId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var instance = await app.GetAsync<JsonObject>($"/api/instances/{instanceId}");
            if ((string?)instance["status"] != "Running" || DateTime.UtcNow > deadline)
            {
                return instance;
            }

            await Task.Delay(100);
        }
    }
}
