using System.Net;
using System.Text.Json.Nodes;
using TaskFlow.Server.Tests.Infrastructure;

namespace TaskFlow.Server.Tests.Api;

public sealed class PublishAndRetryApiTests
{
    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task Draft_RunsByIdUsePublished_UntilPublish(string provider)
    {
        await using var app = await TaskFlowApp.StartAsync(provider);
        await app.SaveAsync(Samples.Pair("pair", "one"));
        using (var draft = await app.Client.PostAsync("/api/definitions?publish=false", TaskFlowApp.JsonBody(Samples.Pair("pair", "two"))))
        {
            var body = await TaskFlowApp.ReadAsync(draft);
            Assert.Equal(HttpStatusCode.Created, draft.StatusCode);
            Assert.Equal((2, false), (body["version"]!.GetValue<int>(), body["isPublished"]!.GetValue<bool>()));
        }

        var listed = Assert.Single(await app.GetAsync<JsonArray>("/api/definitions"))!;
        Assert.Equal((2, 1), (listed["version"]!.GetValue<int>(), listed["publishedVersion"]!.GetValue<int>()));

        var latest = await app.GetAsync<JsonObject>("/api/definitions/pair");
        Assert.Equal(2, latest["version"]!.GetValue<int>());
        var versions = await app.GetAsync<JsonArray>("/api/definitions/pair/versions");
        Assert.Equal([true, false], versions.Select(v => v!["isPublished"]!.GetValue<bool>()).ToArray());
        Assert.Equal("one", await RunOutputAsync(app));

        using (var publish = await app.Client.PostAsync("/api/definitions/pair/publish", null))
        {
            Assert.Equal(HttpStatusCode.OK, publish.StatusCode);
            Assert.True((await TaskFlowApp.ReadAsync(publish))["isPublished"]!.GetValue<bool>());
        }

        Assert.Equal("two", await RunOutputAsync(app));
        using var missing = await app.Client.PostAsync("/api/definitions/pair/publish?version=7", null);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("Workflow definition 'pair' has no version 7.", (await TaskFlowApp.ReadAsync(missing))["detail"]!.GetValue<string>());
        Assert.Equal("two", await RunOutputAsync(app));
    }

    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task RetryNode_FailedNode_RunsAgain_OthersAreConflictsOrNotFound(string provider)
    {
        await using var app = await TaskFlowApp.StartAsync(provider);
        await app.SaveAsync("""
            { "id": "boom", "nodes": [ { "id": "ok", "type": "noop" }, { "id": "boom", "type": "fail", "inputs": { "message": "no route" } } ],
              "edges": [ { "from": "ok", "to": "boom" } ] }
            """);
        using var run = await app.Client.PostAsync("/api/definitions/boom/run?wait=true", TaskFlowApp.JsonBody("{}"));
        var instance = await TaskFlowApp.ReadAsync(run);
        var id = instance["id"]!.GetValue<string>();
        Assert.Equal("Failed", instance["status"]!.GetValue<string>());

        using var wrongNode = await app.Client.PostAsync($"/api/instances/{id}/nodes/ok/retry", null);
        using var unknown = await app.Client.PostAsync("/api/instances/no-such-instance/nodes/boom/retry", null);
        using var retried = await app.Client.PostAsync($"/api/instances/{id}/nodes/boom/retry", null);

        Assert.Equal(HttpStatusCode.Conflict, wrongNode.StatusCode);
        Assert.Equal("Node 'ok' did not fail (succeeded); failed: 'boom'.", (await TaskFlowApp.ReadAsync(wrongNode))["detail"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        JsonObject view = [];
        for (var i = 0; i < 100; i++)
        {
            view = await app.GetAsync<JsonObject>($"/api/instances/{id}");
            if (view["status"]!.GetValue<string>() != "Running")
            {
                break;
            }

            await Task.Delay(100);
        }

        Assert.Equal("Failed", view["status"]!.GetValue<string>());
        var boom = view["nodes"]!.AsArray().Single(n => n!["nodeId"]!.GetValue<string>() == "boom")!;
        Assert.Equal(2, boom["attempt"]!.GetValue<int>());
    }

    private static async Task<string> RunOutputAsync(TaskFlowApp app)
    {
        using var run = await app.Client.PostAsync("/api/definitions/pair/run?wait=true", TaskFlowApp.JsonBody("{}"));
        var body = await TaskFlowApp.ReadAsync(run);
        Assert.True(run.IsSuccessStatusCode, body.ToJsonString());
        return body["output"]!["b"]!.GetValue<string>();
    }
}
