using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using TaskFlow.Server.Tests.Infrastructure;

namespace TaskFlow.Server.Tests.Api;

/// <summary>Bad requests get a clear problem-details answer and change nothing stored.</summary>
public sealed class BadInputTests
{
    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task PostDefinition_MalformedJson_Returns400WithLineAndColumn(string provider)
    {
        await using var app = await TaskFlowApp.StartAsync(provider);

        using var response = await app.Client.PostAsync("/api/definitions", TaskFlowApp.JsonBody("{\n  \"id\": \"x\",\n  \"nodes\": [ oops ]\n}"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await TaskFlowApp.ReadAsync(response);
        Assert.Contains("line 3, column 14", (string?)problem["detail"]);
        Assert.Equal("json.malformed", (string?)problem["errors"]![0]!["code"]);
        Assert.Empty(await app.GetAsync<JsonArray>("/api/definitions"));
    }

    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task Run_MalformedBody_Returns400WithLineAndColumn(string provider)
    {
        await using var app = await TaskFlowApp.StartAsync(provider);
        await app.SaveAsync(Samples.Pair("pair"));

        using var response = await app.Client.PostAsync("/api/definitions/pair/run", TaskFlowApp.JsonBody("{ \"input\": {\n \"a\": } }"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("line 2, column 7", (string?)(await TaskFlowApp.ReadAsync(response))["detail"]);
        Assert.Empty((await app.GetAsync<JsonObject>("/api/instances"))["items"]!.AsArray());
    }

    /// <summary>
    /// Three problems: an unknown activity type, an edge to a node that does not exist, and a
    /// duplicate node id. All are listed; version 1 stays the latest.
    /// </summary>
    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task Put_DefinitionWithThreeProblems_ListsAllAndKeepsPreviousVersion(string provider)
    {
        await using var app = await TaskFlowApp.StartAsync(provider);
        await app.SaveAsync(Samples.Pair("pair", "one"));
        const string broken = """
            { "id": "pair",
              "nodes": [
                { "id": "a", "type": "no-such-activity" },
                { "id": "b", "type": "noop" },
                { "id": "b", "type": "noop" } ],
              "edges": [ { "from": "a", "to": "ghost" } ] }
            """;

        using var put = await app.Client.PutAsync("/api/definitions/pair", TaskFlowApp.JsonBody(broken));
        using var post = await app.Client.PostAsync("/api/definitions", TaskFlowApp.JsonBody(broken));

        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, post.StatusCode);
        var errors = (await TaskFlowApp.ReadAsync(put))["errors"]!.AsArray();
        Assert.True(errors.Count >= 3, errors.ToJsonString());
        var messages = string.Join("\n", errors.Select(e => (string?)e!["message"]));
        Assert.Contains("no-such-activity", messages);
        Assert.Contains("ghost", messages);
        Assert.All(errors, e => Assert.False(string.IsNullOrEmpty((string?)e!["code"])));
        Assert.All(errors, e => Assert.False(string.IsNullOrEmpty((string?)e!["target"])));
        var latest = await app.GetAsync<JsonObject>("/api/definitions/pair");
        Assert.Equal(1, (int?)latest["version"]);
        Assert.Single(await app.GetAsync<JsonArray>("/api/definitions/pair/versions"));
    }

    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task Post_WrongContentType_Returns415(string provider)
    {
        await using var app = await TaskFlowApp.StartAsync(provider);

        using var text = await app.Client.PostAsync("/api/definitions", new StringContent(Samples.Pair("pair"), Encoding.UTF8, "text/plain"));
        using var validate = await app.Client.PostAsync("/api/validate", new StringContent(Samples.Pair("pair"), Encoding.UTF8, "application/xml"));
        using var run = await app.Client.PostAsync("/api/definitions/pair/run", new StringContent("{}", Encoding.UTF8, "text/plain"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, text.StatusCode);
        Assert.Equal("application/problem+json", text.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, validate.StatusCode);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, run.StatusCode);
        Assert.Empty(await app.GetAsync<JsonArray>("/api/definitions"));
    }

    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task Post_BodyOverOneMebibyte_Returns413(string provider)
    {
        await using var app = await TaskFlowApp.StartAsync(provider);
        var padding = new string(' ', 1 << 20);
        var json = Samples.Pair("big").Insert(1, padding);

        using var sized = await app.Client.PostAsync("/api/definitions", TaskFlowApp.JsonBody(json));
        var chunked = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(json)));
        chunked.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/definitions") { Content = chunked };
        request.Headers.TransferEncodingChunked = true;
        using var streamed = await app.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, sized.StatusCode);
        Assert.Contains("1048576", (string?)(await TaskFlowApp.ReadAsync(sized))["detail"]);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, streamed.StatusCode);
        Assert.Empty(await app.GetAsync<JsonArray>("/api/definitions"));
    }

    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task Get_UnknownInstance_Returns404NamingIt(string provider)
    {
        await using var app = await TaskFlowApp.StartAsync(provider);

        foreach (var path in new[] { "/api/instances/nope", "/api/instances/nope/journal" })
        {
            using var response = await app.Client.GetAsync(path);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Contains("'nope'", (string?)(await TaskFlowApp.ReadAsync(response))["detail"]);
        }

        using var cancel = await app.Client.PostAsync("/api/instances/nope/cancel", null);
        Assert.Equal(HttpStatusCode.NotFound, cancel.StatusCode);
    }

    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task Run_UnknownDefinition_Returns404(string provider)
    {
        await using var app = await TaskFlowApp.StartAsync(provider);

        using var response = await app.Client.PostAsync("/api/definitions/ghost/run?wait=true", null);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("'ghost'", (string?)(await TaskFlowApp.ReadAsync(response))["detail"]);
    }

    /// <summary>The database has no schema (migrations off), so a query throws: the 500 must not leak the SQL error or the path.</summary>
    [Fact]
    public async Task Get_DatabaseThrows_Returns500WithoutDetails()
    {
        await using var app = await TaskFlowApp.StartAsync(TaskFlowApp.Sqlite, new Dictionary<string, string?>
        {
            ["TaskFlow:Engine:MigrateOnStart"] = "false",
            ["TaskFlow:Engine:RunWorkers"] = "false",
        });

        using var response = await app.Client.GetAsync("/api/instances");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("trace id", text);
        Assert.DoesNotContain("tf_instances", text);
        Assert.DoesNotContain(app.DataDirectory, text);
    }
}
