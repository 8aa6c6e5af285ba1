using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using TaskFlow.Engine.BulkOperations;
using TaskFlow.Engine.Persistence;
using TaskFlow.Server.Tests.Infrastructure;

namespace TaskFlow.Server.Tests.Api;

/// <summary>POST /api/instances/bulk/{cancel|retry|delete} and their progress, over a real Kestrel on 127.0.0.1.</summary>
public sealed class BulkOperationsApiTests
{
    //  wait(event go): stays running until an event named go arrives
    private const string Waits = """{ "id": "waits", "nodes": [ { "id": "wait", "type": "event", "inputs": { "name": "go" } } ], "edges": [] }""";

    //  boom(fail): fails at once, every attempt
    private const string Boom = """{ "id": "boom", "nodes": [ { "id": "boom", "type": "fail", "inputs": { "message": "no route" } } ], "edges": [] }""";

    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task Cancel_ThousandRunningByFilter_ResultForEach(string provider)
    {
        await using var app = await TaskFlowApp.StartAsync(provider, kestrel: true);
        await app.SaveAsync(Waits);
        await app.SaveAsync(Waits.Replace("\"waits\"", "\"other\"", StringComparison.Ordinal));
        var targets = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < 1000; i++)
        {
            targets.Add(await InstanceSearchApiTests.RunAsync(app, "waits", "{}"));
        }

        var untouched = await InstanceSearchApiTests.RunAsync(app, "other", "{}");

        using var start = await app.Client.PostAsync("/api/instances/bulk/cancel", TaskFlowApp.JsonBody("""{ "filter": { "status": "Running", "definition": "waits" } }"""));
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        var id = (string)(await TaskFlowApp.ReadAsync(start))["id"]!;
        Assert.EndsWith($"/api/instances/bulk/{id}", start.Headers.Location!.ToString(), StringComparison.Ordinal);
        var done = await CompletedAsync(app, id, TimeSpan.FromMinutes(3));

        Assert.Equal(1000, (int)done["total"]!);
        Assert.Equal(1000, (int)done["done"]!);
        var results = done["results"]!.AsArray();
        Assert.Equal(targets.Order(StringComparer.Ordinal), results.Select(r => (string)r!["instanceId"]!).Order(StringComparer.Ordinal));
        Assert.All(results, r => Assert.Equal("Done", (string?)r!["outcome"]));
        Assert.Empty((await app.GetAsync<JsonObject>("/api/instances?definition=waits&status=Running"))["items"]!.AsArray());
        Assert.Equal(1000, (await app.GetAsync<JsonObject>("/api/instances?definition=waits&status=Cancelled&take=1000"))["items"]!.AsArray().Count);
        Assert.Equal("Running", (string?)(await app.GetAsync<JsonObject>($"/api/instances/{untouched}"))["status"]);
    }

    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task Retry_ByIds_RetriesFailedAndSkipsOthersWithReason(string provider)
    {
        await using var app = await TaskFlowApp.StartAsync(provider, kestrel: true);
        await app.SaveAsync(Boom);
        await app.SaveAsync(Waits);
        var failed = await InstanceSearchApiTests.RunAsync(app, "boom", "{}", wait: true);
        var running = await InstanceSearchApiTests.RunAsync(app, "waits", "{}");

        var done = await RunBulkAsync(app, "retry", $$"""{ "ids": ["{{failed}}", "{{running}}", "no-such-instance"] }""");

        var results = done["results"]!.AsArray();
        Assert.Equal(("Done", null), Outcome(results[0]!));
        Assert.Equal(("Skipped", $"Instance '{running}' is Running; only a failed instance is retried."), Outcome(results[1]!));
        Assert.Equal(("Skipped", "Instance 'no-such-instance' is not stored."), Outcome(results[2]!));
        var retried = await app.FinishedAsync(failed);
        Assert.Equal(2, (int)retried["nodes"]!.AsArray().Single()!["attempt"]!);
    }

    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task Delete_ByFilter_DeletesFinishedAndSkipsRunning(string provider)
    {
        await using var app = await TaskFlowApp.StartAsync(provider, kestrel: true);
        await app.SaveAsync(Boom);
        await app.SaveAsync(Waits);
        var first = await InstanceSearchApiTests.RunAsync(app, "boom", "{}", wait: true);
        var second = await InstanceSearchApiTests.RunAsync(app, "boom", "{}", wait: true);
        var running = await InstanceSearchApiTests.RunAsync(app, "waits", """{ "correlationId": "keep" }""");
        var kept = await InstanceSearchApiTests.RunAsync(app, "waits", "{}");

        var byFilter = await RunBulkAsync(app, "delete", """{ "filter": { "definition": "boom" } }""");
        var byId = await RunBulkAsync(app, "delete", $$"""{ "ids": ["{{running}}"] }""");

        Assert.Equal(2, (int)byFilter["done"]!);
        Assert.Equal(("Skipped", $"Instance '{running}' is Running; only a finished instance is deleted (cancel it first)."), Outcome(byId["results"]!.AsArray().Single()!));
        foreach (var gone in new[] { first, second })
        {
            using var response = await app.Client.GetAsync($"/api/instances/{gone}");
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            using var journal = await app.Client.GetAsync($"/api/instances/{gone}/journal");
            Assert.Equal(HttpStatusCode.NotFound, journal.StatusCode);
        }

        Assert.Equal("Running", (string?)(await app.GetAsync<JsonObject>($"/api/instances/{running}"))["status"]);
        Assert.Equal("Running", (string?)(await app.GetAsync<JsonObject>($"/api/instances/{kept}"))["status"]);
    }

    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task Start_BadInput_ClearErrorAndNothingChanged(string provider)
    {
        await using var app = await TaskFlowApp.StartAsync(provider, kestrel: true);
        await app.SaveAsync(Samples.Pair("pair"));
        var finished = await InstanceSearchApiTests.RunAsync(app, "pair", "{}", wait: true);

        using var everything = await app.Client.PostAsync("/api/instances/bulk/delete", TaskFlowApp.JsonBody("""{ "filter": {} }"""));
        using var noBody = await app.Client.PostAsync("/api/instances/bulk/delete", TaskFlowApp.JsonBody("{}"));
        using var badStatus = await app.Client.PostAsync("/api/instances/bulk/cancel", TaskFlowApp.JsonBody("""{ "filter": { "status": "Sleeping", "colour": "red" } }"""));
        using var both = await app.Client.PostAsync("/api/instances/bulk/retry", TaskFlowApp.JsonBody($$"""{ "filter": { "definition": "pair" }, "ids": ["{{finished}}"] }"""));
        using var emptyIds = await app.Client.PostAsync("/api/instances/bulk/retry", TaskFlowApp.JsonBody("""{ "ids": [] }"""));
        using var unknownKind = await app.Client.PostAsync("/api/instances/bulk/explode", TaskFlowApp.JsonBody("""{ "ids": ["x"] }"""));
        using var malformed = await app.Client.PostAsync("/api/instances/bulk/cancel", TaskFlowApp.JsonBody("""{ "ids": [ """));
        using var unknownOperation = await app.Client.GetAsync("/api/instances/bulk/nope");

        Assert.Equal(HttpStatusCode.BadRequest, everything.StatusCode);
        Assert.Contains("The filter is empty, so the delete would cover every instance", (string?)(await TaskFlowApp.ReadAsync(everything))["detail"]);
        Assert.Equal(HttpStatusCode.BadRequest, noBody.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badStatus.StatusCode);
        var errors = (await TaskFlowApp.ReadAsync(badStatus))["errors"]!.AsArray().Select(e => (string)e!).ToArray();
        Assert.Contains(errors, e => e.StartsWith("status 'Sleeping'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Unknown filter member 'colour'", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.BadRequest, both.StatusCode);
        Assert.Contains("either 'filter' or 'ids'", (string?)(await TaskFlowApp.ReadAsync(both))["detail"]);
        Assert.Equal(HttpStatusCode.BadRequest, emptyIds.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknownKind.StatusCode);
        Assert.Contains("'explode'", (string?)(await TaskFlowApp.ReadAsync(unknownKind))["detail"]);
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknownOperation.StatusCode);
        Assert.Equal("Succeeded", (string?)(await app.GetAsync<JsonObject>($"/api/instances/{finished}"))["status"]);
    }

    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task Delete_AllFlag_DeletesEveryFinishedInstance(string provider)
    {
        await using var app = await TaskFlowApp.StartAsync(provider, kestrel: true);
        await app.SaveAsync(Samples.Pair("pair"));
        await InstanceSearchApiTests.RunAsync(app, "pair", "{}", wait: true);
        await InstanceSearchApiTests.RunAsync(app, "pair", "{}", wait: true);

        var done = await RunBulkAsync(app, "delete", """{ "filter": {}, "all": true }""");

        Assert.Equal(2, (int)done["done"]!);
        Assert.Empty((await app.GetAsync<JsonObject>("/api/instances"))["items"]!.AsArray());
    }

    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task Operation_StoredButNotRun_IsResumedByTheNextServerStart(string provider)
    {
        await using var first = await TaskFlowApp.StartAsync(provider, kestrel: true);
        await first.SaveAsync(Waits);
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(await InstanceSearchApiTests.RunAsync(first, "waits", "{}"));
        }

        // Stored the way a start stores it, but never handed to this server's worker: as if the
        // server stopped right after answering 202.
        var store = first.Services.GetRequiredService<EngineStore>();
        var id = await store.InsertBulkOperationAsync(BulkOperationKind.Cancel, "{}", ids);
        var stalled = await first.GetAsync<JsonObject>($"/api/instances/bulk/{id}");
        Assert.Equal(("Running", 3), ((string?)stalled["status"], (int)stalled["pending"]!));

        var sameDatabase = provider == TaskFlowApp.Postgres
            ? new Dictionary<string, string?> { ["TaskFlow:Engine:PostgresConnectionString"] = first.Connection }
            : new Dictionary<string, string?> { ["TaskFlow:Engine:DataDirectory"] = first.DataDirectory };
        await using var second = await TaskFlowApp.StartAsync(provider, sameDatabase, kestrel: true);
        var done = await CompletedAsync(second, id, TimeSpan.FromSeconds(30));

        Assert.Equal(3, (int)done["done"]!);
        Assert.All(ids, i => Assert.Contains(done["results"]!.AsArray(), r => (string?)r!["instanceId"] == i && (string?)r["outcome"] == "Done"));
        Assert.Empty((await second.GetAsync<JsonObject>("/api/instances?status=Running"))["items"]!.AsArray());
    }

    private static (string?, string?) Outcome(JsonNode result) => ((string?)result["outcome"], (string?)result["reason"]);

    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task RetentionPurge_RemovesCompletedOperationsWithTheirResults_KeepsRecentOnes(string provider)
    {
        await using var app = await TaskFlowApp.StartAsync(provider, kestrel: true);
        await app.SaveAsync(Waits);
        var running = await InstanceSearchApiTests.RunAsync(app, "waits", "{}");
        var done = await RunBulkAsync(app, "cancel", $$"""{ "ids": ["{{running}}"] }""");
        var id = (string)done["id"]!;
        var store = app.Services.GetRequiredService<EngineStore>();

        // Completed after the cut-off: kept. Before it: gone, with its results.
        Assert.Equal(0, await store.PurgeBulkOperationsAsync(DateTimeOffset.UtcNow.AddHours(-1)));
        Assert.NotNull(await store.GetBulkOperationAsync(id, withResults: true));
        Assert.Equal(1, await store.PurgeBulkOperationsAsync(DateTimeOffset.UtcNow.AddMinutes(1)));
        Assert.Null(await store.GetBulkOperationAsync(id, withResults: true));
        using var gone = await app.Client.GetAsync($"/api/instances/bulk/{id}");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    private static async Task<JsonObject> RunBulkAsync(TaskFlowApp app, string kind, string body)
    {
        using var start = await app.Client.PostAsync($"/api/instances/bulk/{kind}", TaskFlowApp.JsonBody(body));
        var json = await TaskFlowApp.ReadAsync(start);
        Assert.True(start.StatusCode == HttpStatusCode.Accepted, json.ToJsonString());
        return await CompletedAsync(app, (string)json["id"]!, TimeSpan.FromSeconds(30));
    }

    /// <summary>Polls the operation until it is completed; the bound only guards against a hang.</summary>
    private static async Task<JsonObject> CompletedAsync(TaskFlowApp app, string operationId, TimeSpan atMost)
    {
        var deadline = DateTime.UtcNow + atMost;
        while (true)
        {
            var view = await app.GetAsync<JsonObject>($"/api/instances/bulk/{operationId}");
            if ((string?)view["status"] == "Completed")
            {
                Assert.Equal(0, (int)view["pending"]!);
                return view;
            }

            Assert.True(DateTime.UtcNow < deadline, $"Bulk operation still running: {view.ToJsonString()}");
            await Task.Delay(50);
        }
    }
}
