using System.Net;
using System.Text.Json.Nodes;
using TaskFlow.Server.Tests.Infrastructure;

namespace TaskFlow.Server.Tests.Api;

/// <summary>GET /api/instances filters, correlation ids and cursor paging, over a real Kestrel on 127.0.0.1.</summary>
public sealed class InstanceSearchApiTests
{
    //  wait(event go): stays running until an event named go arrives
    private const string Waits = """{ "id": "waits", "nodes": [ { "id": "wait", "type": "event", "inputs": { "name": "go" } } ], "edges": [] }""";

    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task List_EachFilter_NarrowsAsDocumented(string provider)
    {
        await using var app = await TaskFlowApp.StartAsync(provider, kestrel: true);
        Assert.Equal("127.0.0.1", app.Client.BaseAddress!.Host);
        await app.SaveAsync(Waits);
        await app.SaveAsync(Samples.Pair("pair"));
        await app.SaveAsync(Samples.Pair("pair", "second version"));
        var order7 = await RunAsync(app, "waits", """{ "input": { "order": "A-7 red" }, "correlationId": "order-7" }""");
        var order8 = await RunAsync(app, "waits", """{ "input": { "order": "B-8 blue" } }""", header: "order-8");
        var between = DateTimeOffset.UtcNow;
        await Task.Delay(20);
        var pairV1 = await RunAsync(app, "pair", """{ "version": 1, "correlationId": "order-7" }""", wait: true);
        var pairV2 = await RunAsync(app, "pair", "{}", wait: true);

        Assert.Equal(Sorted(pairV2, pairV1), await IdsAsync(app, "definition=pair"));
        Assert.Equal(Sorted(pairV1), await IdsAsync(app, "definition=pair&version=1"));
        Assert.Equal(Sorted(order8, order7), await IdsAsync(app, "status=running"));
        Assert.Equal(Sorted(pairV1, order7), await IdsAsync(app, "correlationId=order-7"));
        Assert.Equal(Sorted(order8), await IdsAsync(app, "correlationId=order-8"));
        Assert.Equal(Sorted(order8), await IdsAsync(app, "q=" + Uri.EscapeDataString("B-8")));
        Assert.Empty(await IdsAsync(app, "q=b-8"));
        Assert.Equal(Sorted(pairV2, pairV1), await IdsAsync(app, "createdAfter=" + Uri.EscapeDataString(between.ToString("O"))));
        Assert.Equal(Sorted(order8, order7), await IdsAsync(app, "createdBefore=" + Uri.EscapeDataString(between.ToString("O"))));
        Assert.Equal(Sorted(pairV2, pairV1), await IdsAsync(app, "finishedAfter=" + Uri.EscapeDataString(between.ToString("O"))));
        Assert.Empty(await IdsAsync(app, "finishedBefore=" + Uri.EscapeDataString(between.ToString("O"))));
        Assert.Equal(Sorted(order7), await IdsAsync(app, "definition=waits&correlationId=order-7&status=Running"));
        Assert.Equal("order-8", (string?)(await app.GetAsync<JsonObject>($"/api/instances/{order8}"))["correlationId"]);
    }

    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task List_CursorWhileInserting_SeesEveryInstanceOnce(string provider)
    {
        await using var app = await TaskFlowApp.StartAsync(provider, kestrel: true);
        await app.SaveAsync(Waits);
        var existing = new List<string>();
        for (var i = 0; i < 23; i++)
        {
            existing.Add(await RunAsync(app, "waits", "{}"));
        }

        var seen = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await app.GetAsync<JsonObject>("/api/instances?take=5" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)));
            seen.AddRange(page["items"]!.AsArray().Select(i => (string)i!["id"]!));
            cursor = (string?)page["next"];
            await RunAsync(app, "waits", "{}");
            pages++;
        }
        while (cursor is not null && pages < 20);

        Assert.Equal(5, pages);
        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.Equal(existing.OrderBy(i => i, StringComparer.Ordinal), seen.OrderBy(i => i, StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task List_BadFilterValues_Returns400NamingEachParameter(string provider)
    {
        await using var app = await TaskFlowApp.StartAsync(provider, kestrel: true);

        using var response = await app.Client.GetAsync("/api/instances?status=Sleeping&version=0&createdAfter=yesterday&finishedBefore=soon&cursor=not-a-cursor&definition=");
        using var both = await app.Client.GetAsync("/api/instances?cursor=" + Uri.EscapeDataString(new Engine.Instances.InstanceCursor(1, "x").ToString()) + "&skip=3");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await TaskFlowApp.ReadAsync(response))["errors"]!.AsArray().Select(e => (string)e!).ToArray();
        Assert.Equal(6, errors.Length);
        foreach (var name in new[] { "status 'Sleeping'", "version '0'", "createdAfter 'yesterday'", "finishedBefore 'soon'", "cursor 'not-a-cursor'", "definition is empty" })
        {
            Assert.Contains(errors, e => e.StartsWith(name, StringComparison.Ordinal));
        }

        Assert.Equal(HttpStatusCode.BadRequest, both.StatusCode);
        Assert.Contains("skip cannot be combined with cursor", (string?)(await TaskFlowApp.ReadAsync(both))["detail"]);
    }

    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task Run_CorrelationInBodyAndHeaderDiffer_Returns400AndStartsNothing(string provider)
    {
        await using var app = await TaskFlowApp.StartAsync(provider, kestrel: true);
        await app.SaveAsync(Waits);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/definitions/waits/run") { Content = TaskFlowApp.JsonBody("""{ "correlationId": "a" }""") };
        request.Headers.Add("X-Correlation-Id", "b");
        using var tooLong = await app.Client.PostAsync("/api/definitions/waits/run", TaskFlowApp.JsonBody($$"""{ "correlationId": "{{new string('c', 201)}}" }"""));

        using var response = await app.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("X-Correlation-Id", (string?)(await TaskFlowApp.ReadAsync(response))["detail"]);
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.Contains("'correlationId' must be a string of 1 to 200 characters", (string?)(await TaskFlowApp.ReadAsync(tooLong))["detail"]);
        Assert.Empty((await app.GetAsync<JsonObject>("/api/instances"))["items"]!.AsArray());
    }

    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task Run_CorrelationId_EventNodeWaitsOnItInTemplates(string provider)
    {
        //  wait(event paid, correlation instance.correlationId)
        await using var app = await TaskFlowApp.StartAsync(provider, kestrel: true);
        await app.SaveAsync("""{ "id": "paid", "nodes": [ { "id": "wait", "type": "event", "inputs": { "name": "paid", "correlation": "{{ instance.correlationId }}" } } ], "edges": [] }""");
        var seven = await RunAsync(app, "paid", "{}", header: "order-7");
        var eight = await RunAsync(app, "paid", "{}", header: "order-8");
        await app.SingleAsync($"/api/events/waiting?instanceId={seven}", "order-7 waiting");
        await app.SingleAsync($"/api/events/waiting?instanceId={eight}", "order-8 waiting");

        using var sent = await app.Client.PostAsync("/api/events/paid", TaskFlowApp.JsonBody("""{ "correlation": "order-8", "payload": { "amount": 42 } }"""));

        Assert.True(sent.IsSuccessStatusCode, await sent.Content.ReadAsStringAsync());
        var finished = await app.FinishedAsync(eight);
        Assert.Equal("Succeeded", (string?)finished["status"]);
        Assert.Equal(42, (int?)finished["nodes"]![0]!["output"]!["amount"]);
        Assert.Equal("Running", (string?)(await app.GetAsync<JsonObject>($"/api/instances/{seven}"))["status"]);
    }

    internal static async Task<string> RunAsync(TaskFlowApp app, string definition, string body, string? header = null, bool wait = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/definitions/{definition}/run" + (wait ? "?wait=true" : "")) { Content = TaskFlowApp.JsonBody(body) };
        if (header is not null)
        {
            request.Headers.Add("X-Correlation-Id", header);
        }

        using var response = await app.Client.SendAsync(request);
        var json = await TaskFlowApp.ReadAsync(response);
        Assert.True(response.IsSuccessStatusCode, json.ToJsonString());
        return (string)json["id"]!;
    }

    // Sorted: two instances created in the same millisecond are ordered by id, which is not their start order.
    private static async Task<string[]> IdsAsync(TaskFlowApp app, string query) =>
        Sorted((await app.GetAsync<JsonObject>("/api/instances?take=1000&" + query))["items"]!.AsArray().Select(i => (string)i!["id"]!).ToArray());

    private static string[] Sorted(params string[] ids) => ids.Order(StringComparer.Ordinal).ToArray();
}
