using System.Net;
using System.Text.Json.Nodes;
using TaskFlow.Server.Tests.Deployment;
using TaskFlow.Server.Tests.Infrastructure;

namespace TaskFlow.Server.Tests.Api;

public sealed class SamplesApiTests
{
    [Fact]
    public async Task List_OffersEverySampleOfTheWorkflowsFolder_WithNameDescriptionAndNodes()
    {
        await using var app = await TaskFlowApp.StartAsync(TaskFlowApp.Sqlite);

        var samples = await app.GetAsync<JsonArray>("/api/samples");

        var files = Directory.GetFiles(DeploymentFiles.InRepository("workflows"), "*.json").Select(f => JsonNode.Parse(File.ReadAllText(f))!).ToList();
        Assert.Equal(files.Select(f => (string)f["id"]!).Order(), samples.Select(s => (string)s!["id"]!).Order());
        var fanOut = samples.Single(s => (string?)s!["id"] == "parallel-fan-out")!;
        Assert.Equal("Parallel fan-out", (string?)fanOut["name"]);
        Assert.StartsWith("A start node fans out", (string?)fanOut["description"], StringComparison.Ordinal);
        Assert.Equal(files.Single(f => (string?)f["id"] == "parallel-fan-out")["nodes"]!.AsArray().Count, (int)fanOut["nodes"]!);
    }

    [Fact]
    public async Task Get_OneSample_IsItsDefinitionReadyToSave_AndNothingIsStored()
    {
        await using var app = await TaskFlowApp.StartAsync(TaskFlowApp.Sqlite);

        var sample = await app.GetAsync<JsonObject>("/api/samples/retry-and-delay");

        Assert.Equal("retry-and-delay", (string?)sample["id"]);
        Assert.Empty(await app.GetAsync<JsonArray>("/api/definitions"));
        using var saved = await app.Client.PostAsync("/api/definitions", TaskFlowApp.JsonBody(sample.ToJsonString()));
        Assert.Equal(HttpStatusCode.Created, saved.StatusCode);
    }

    [Fact]
    public async Task Get_UnknownSample_Is404NamingIt()
    {
        await using var app = await TaskFlowApp.StartAsync(TaskFlowApp.Sqlite);

        using var response = await app.Client.GetAsync("/api/samples/no-such-sample");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("no sample workflow 'no-such-sample'", (string?)(await TaskFlowApp.ReadAsync(response))["detail"], StringComparison.Ordinal);
    }
}
