using System.Net;
using System.Text.Json.Nodes;
using TaskFlow.Server.Tests.Infrastructure;

namespace TaskFlow.Server.Tests.Api;

public sealed class RunApiTests
{
    /// <summary>
    ///            ┌> upper ──┐
    ///   start ───┼> lower ──┼──> join ──> combine
    ///            └> ... (5) ┘
    /// </summary>
    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task Run_WaitOnSample_Returns200WithOutputs(string provider)
    {
        await using var app = await TaskFlowApp.StartAsync(provider);
        await app.SaveAsync(Samples.Read("parallel-fan-out"));

        using var response = await app.Client.PostAsync("/api/definitions/parallel-fan-out/run?wait=true&timeout=60", TaskFlowApp.JsonBody("""{ "input": { "text": "Flow" } }"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var instance = await TaskFlowApp.ReadAsync(response);
        Assert.Equal("Succeeded", (string?)instance["status"]);
        Assert.Equal("FLOW", (string?)instance["output"]!["upper"]);
        Assert.Equal("FLOW / flow has 4 characters", (string?)instance["output"]!["summary"]);
        Assert.Contains(instance["nodes"]!.AsArray(), n => (string?)n!["nodeId"] == "join" && (string?)n["status"] == "Succeeded");
    }

    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task Run_NoWait_Returns202WithIdAndLocation(string provider)
    {
        await using var app = await TaskFlowApp.StartAsync(provider);
        await app.SaveAsync(Samples.Pair("pair", "hello"));

        using var response = await app.Client.PostAsync("/api/definitions/pair/run", null);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (string?)(await TaskFlowApp.ReadAsync(response))["id"];
        Assert.False(string.IsNullOrEmpty(id));
        Assert.Equal($"/api/instances/{id}", response.Headers.Location?.OriginalString);
        var finished = await DefinitionsApiTests.WaitFinishedAsync(app, id!);
        Assert.Equal("hello", (string?)finished["output"]!["b"]);
    }

    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task Run_ExplicitVersion_RunsThatVersion(string provider)
    {
        await using var app = await TaskFlowApp.StartAsync(provider);
        await app.SaveAsync(Samples.Pair("pair", "one"));
        await app.SaveAsync(Samples.Pair("pair", "two"));

        using var response = await app.Client.PostAsync("/api/definitions/pair/run?wait=true", TaskFlowApp.JsonBody("""{ "version": 1 }"""));

        var instance = await TaskFlowApp.ReadAsync(response);
        Assert.Equal(1, (int?)instance["definitionVersion"]);
        Assert.Equal("one", (string?)instance["output"]!["b"]);
    }

    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task Run_InputMissingRequired_Returns400AndStartsNothing(string provider)
    {
        await using var app = await TaskFlowApp.StartAsync(provider);
        await app.SaveAsync("""
            { "id": "needs", "inputs": { "amount": { "type": "number", "required": true } },
              "nodes": [ { "id": "a", "type": "transform", "inputs": { "value": "{{ input.amount }}" } } ], "edges": [] }
            """);

        using var missing = await app.Client.PostAsync("/api/definitions/needs/run", TaskFlowApp.JsonBody("""{ "input": {} }"""));
        using var badShape = await app.Client.PostAsync("/api/definitions/needs/run", TaskFlowApp.JsonBody("""{ "input": 5, "extra": true }"""));

        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Contains("amount", (string?)(await TaskFlowApp.ReadAsync(missing))["errors"]![0]);
        Assert.Equal(HttpStatusCode.BadRequest, badShape.StatusCode);
        Assert.Equal(2, (await TaskFlowApp.ReadAsync(badShape))["errors"]!.AsArray().Count);
        Assert.Empty((await app.GetAsync<JsonObject>("/api/instances"))["items"]!.AsArray());
    }

    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task Run_WaitTimesOut_Returns202WithRunningInstance(string provider)
    {
        await using var app = await TaskFlowApp.StartAsync(provider);
        await app.SaveAsync("""{ "id": "long", "nodes": [ { "id": "wait", "type": "delay", "inputs": { "duration": "1h" } } ], "edges": [] }""");

        using var response = await app.Client.PostAsync("/api/definitions/long/run?wait=true&timeout=0.5", null);
        using var tooLong = await app.Client.PostAsync("/api/definitions/long/run?wait=true&timeout=100000", null);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("Running", (string?)(await TaskFlowApp.ReadAsync(response))["status"]);
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
    }
}
