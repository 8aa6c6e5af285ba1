using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using TaskFlow.Server.Tests.Infrastructure;

namespace TaskFlow.Server.Tests.Api;

/// <summary>
/// Importing several Elsa workflows at once (a JSON array or a zip) through <c>POST /api/definitions/import/elsa</c>,
/// with files of Elsa's own tests from the corpus (TaskFlow.Core.Tests/Import/Elsa/Corpus).
/// </summary>
public sealed class ElsaImportSetApiTests
{
    private const string Route = "/api/definitions/import/elsa";

    private static string Corpus(string path) => File.ReadAllText(Path.Combine(Samples.ElsaFolder, "Corpus", "elsa-core", path));

    //   consumer ──> Producer (a workflow used as an activity) ──> set Variable1 ──> WriteLine
    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task Import_ArrayWithAWorkflowUsedAsAnActivity_SavesTheChildFirstAndTheParentRunsIt(string provider)
    {
        await using var app = await TaskFlowApp.StartAsync(provider);
        var body = $"[{Corpus("integration/ParentChildOutputMapping/consumer.json")}, {Corpus("integration/ParentChildOutputMapping/producer.json")}]";

        using var response = await app.Client.PostAsync(Route + "?save=true", TaskFlowApp.JsonBody(body));

        var result = await TaskFlowApp.ReadAsync(response);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var saved = result["definitions"]!.AsArray().Select(d => (d!["name"]!.GetValue<string>(), d["saved"]!["version"]!.GetValue<int>())).ToList();
        Assert.Equal([("[1]", 1), ("[0]", 1)], saved);
        var parentId = result["definitions"]![1]!["definition"]!["id"]!.GetValue<string>();
        var parent = result["definitions"]![1]!["definition"]!["nodes"]!.AsArray();
        Assert.Contains(parent, n => n!["type"]!.GetValue<string>() == "workflow");

        // Elsa's test (ParentChildOutputMapping, "Parent workflow receives output from child workflow when using SetOutput activity") expects the line "Foo".
        using var run = await app.Client.PostAsync($"/api/definitions/{parentId}/run?wait=true&timeout=60", TaskFlowApp.JsonBody("{}"));
        var instance = await TaskFlowApp.ReadAsync(run);
        Assert.Equal("Succeeded", instance["status"]!.GetValue<string>());
        var log = instance["nodes"]!.AsArray().Single(n => n!["output"]?["message"] is not null);
        Assert.Equal("Foo", log!["output"]!["message"]!.GetValue<string>());
    }

    //   POST /workflows/hello-world ──> HttpEndpoint (http trigger) ──> WriteHttpResponse (http.respond 200 "Hello World!")
    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task Import_ZipWithElsasHttpHelloWorld_ServesTheEndpointWithElsasExpectedBody(string provider)
    {
        await using var app = await TaskFlowApp.StartAsync(provider, kestrel: true);
        using var zip = new MemoryStream();
        using (var archive = new ZipArchive(zip, ZipArchiveMode.Create, leaveOpen: true))
        {
            await using var writer = new StreamWriter(archive.CreateEntry("workflows/http-hello-world.json").Open());
            await writer.WriteAsync(Corpus("component/HttpWorkflows/http-hello-world.json"));
        }

        var content = new ByteArrayContent(zip.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/zip");
        using var response = await app.Client.PostAsync(Route + "?save=true", content);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);

        // Elsa's HttpHelloWorldTests: GET hello-world answers "Hello World!"; the endpoint has no authorization, so no key is sent.
        using var anonymous = app.CreateAnonymousClient();
        using var answer = await anonymous.GetAsync("/workflows/hello-world");
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal("Hello World!", await answer.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Import_WorkflowsUsingEachOtherInACycle_IsRefusedNamingTheCycleAndStoresNothing()
    {
        await using var app = await TaskFlowApp.StartAsync(TaskFlowApp.Sqlite);
        const string body = """
            [ { "definitionId": "ping", "name": "Ping", "root": { "id": "F", "type": "Elsa.Flowchart", "activities": [ { "id": "P1", "type": "Pong" } ] } },
              { "definitionId": "pong", "name": "Pong", "root": { "id": "F", "type": "Elsa.Flowchart", "activities": [ { "id": "P1", "type": "Ping" } ] } } ]
            """;

        using var response = await app.Client.PostAsync(Route + "?save=true", TaskFlowApp.JsonBody(body));

        var problem = await TaskFlowApp.ReadAsync(response);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("in a cycle (ping -> pong -> ping)", problem["detail"]!.GetValue<string>());
        Assert.Empty(await app.GetAsync<JsonArray>("/api/definitions"));
    }
}
