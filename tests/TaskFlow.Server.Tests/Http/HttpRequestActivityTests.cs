using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using TaskFlow.Server.Tests.Infrastructure;
using TaskFlow.Testing;

namespace TaskFlow.Server.Tests.Http;

/// <summary>
/// http.request against a real Kestrel server on 127.0.0.1, run by a real TaskFlow server. Loopback
/// is allowed explicitly (TaskFlow:Http:AllowLoopback), as the guard refuses it by default.
/// </summary>
public sealed class HttpRequestActivityTests
{
    private static readonly Dictionary<string, string?> AllowLoopback = new()
    {
        ["TaskFlow:Http:AllowLoopback"] = "true",
        ["TaskFlow:Http:RetryDelay"] = "00:00:00.050",
    };

    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task Request_JsonBodyQueryAndHeaders_OutputHasStatusHeadersAndParsedJson(string provider)
    {
        var (target, address) = await HttpForwarding.StartAsync(async context =>
        {
            var body = await JsonNode.ParseAsync(context.Request.Body);
            context.Response.StatusCode = 201;
            context.Response.Headers["X-Answer"] = "yes";
            await context.Response.WriteAsJsonAsync(new JsonObject
            {
                ["method"] = context.Request.Method,
                ["q"] = context.Request.Query["q"].ToString(),
                ["trace"] = context.Request.Headers["X-Trace"].ToString(),
                ["contentType"] = context.Request.ContentType,
                ["n"] = body?["n"]?.DeepClone(),
            });
        });
        await using var _ = target;
        await using var app = await TaskFlowApp.StartAsync(provider, AllowLoopback);
        var view = await RunAsync(app, $$$"""
            { "id": "call", "nodes": [ { "id": "call", "type": "http.request", "inputs": {
                "method": "POST", "url": "{{{address}}}orders", "query": { "q": "a b" }, "headers": { "X-Trace": "t-1" },
                "body": { "n": "{{ input.n }}" }, "expectStatus": [201] } } ] }
            """, """{ "n": 7 }""");

        Assert.True((string?)view["status"] == "Succeeded", view.ToJsonString());
        var output = Output(view, "call")!;
        Assert.Equal(201, (int)output["status"]!);
        Assert.Equal("yes", (string?)output["headers"]!["x-answer"]);
        Assert.Equal(("POST", "a b", "t-1", "application/json", 7),
            ((string?)output["body"]!["method"], (string?)output["body"]!["q"], (string?)output["body"]!["trace"], (string?)output["body"]!["contentType"], (int)output["body"]!["n"]!));
    }

    // 503, 503, then 200: a GET is retried with backoff and succeeds on the third attempt; a POST is
    // not retried unless the node says so.
    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task Request_Transient503_RetriedForIdempotentMethodsOrWhenTheNodeSaysSo(string provider)
    {
        var hits = new Dictionary<string, int>();
        var (target, address) = await HttpForwarding.StartAsync(async context =>
        {
            int hit;
            lock (hits)
            {
                hit = hits[context.Request.Path] = hits.GetValueOrDefault(context.Request.Path) + 1;
            }

            context.Response.StatusCode = hit <= 2 ? 503 : 200;
            await context.Response.WriteAsync(hit <= 2 ? "busy" : "ok");
        });
        await using var _ = target;
        await using var app = await TaskFlowApp.StartAsync(provider, AllowLoopback);

        var get = await RunAsync(app, $$"""{ "id": "get", "nodes": [ { "id": "call", "type": "http.request", "inputs": { "url": "{{address}}get" } } ] }""");
        var post = await RunAsync(app, $$"""{ "id": "post", "nodes": [ { "id": "call", "type": "http.request", "inputs": { "method": "POST", "url": "{{address}}post", "body": "x" } } ] }""");
        var postRetried = await RunAsync(app, $$"""{ "id": "post-retry", "nodes": [ { "id": "call", "type": "http.request", "inputs": { "method": "POST", "url": "{{address}}post-retry", "body": "x", "retry": true } } ] }""");

        Assert.Equal("Succeeded", (string?)get["status"]);
        Assert.Equal("ok", (string?)Output(get, "call")!["body"]);
        Assert.Equal(3, hits["/get"]);
        Assert.Equal("Failed", (string?)post["status"]);
        Assert.Contains($"POST {address}post answered 503 Service Unavailable; expected 2xx.", (string?)post["error"]);
        Assert.Equal("Succeeded", (string?)postRetried["status"]);
        Assert.Equal(3, hits["/post-retry"]);
        // The POST node has no retry policy: one attempt, one request.
        Assert.Equal(1, hits["/post"]);
    }

    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task Request_PrivateAddresses_RefusedByDefault_NamingTheSetting(string provider)
    {
        var hits = 0;
        var (target, address) = await HttpForwarding.StartAsync(async context =>
        {
            Interlocked.Increment(ref hits);
            await context.Response.WriteAsync("ok");
        });
        await using var _ = target;
        await using var app = await TaskFlowApp.StartAsync(provider);

        var loopback = await RunAsync(app, $$"""{ "id": "loopback", "nodes": [ { "id": "call", "type": "http.request", "inputs": { "url": "{{address}}" } } ] }""");
        var metadata = await RunAsync(app, """{ "id": "metadata", "nodes": [ { "id": "call", "type": "http.request", "inputs": { "url": "http://169.254.169.254/latest/meta-data/" } } ] }""");
        var lan = await RunAsync(app, """{ "id": "lan", "nodes": [ { "id": "call", "type": "http.request", "inputs": { "url": "http://10.1.2.3:8080/admin" } } ] }""");

        Assert.Equal("Failed", (string?)loopback["status"]);
        Assert.Contains("Refused to connect to 127.0.0.1, a loopback address: outgoing requests there are blocked unless TaskFlow:Http:AllowLoopback is true.", (string?)loopback["error"]);
        Assert.Contains("unless TaskFlow:Http:AllowLinkLocal is true", (string?)metadata["error"]);
        Assert.Contains("unless TaskFlow:Http:AllowPrivateNetworks is true", (string?)lan["error"]);
        Assert.Equal(0, hits);
    }

    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task Request_ResponseOverCap_FailsNamingTheCap(string provider)
    {
        var (target, address) = await HttpForwarding.StartAsync(context => context.Response.WriteAsync(new string('x', 5000)));
        await using var _ = target;
        await using var app = await TaskFlowApp.StartAsync(provider, AllowLoopback);

        var view = await RunAsync(app, $$"""{ "id": "big", "nodes": [ { "id": "call", "type": "http.request", "inputs": { "url": "{{address}}big", "maxResponseBytes": 1024 } } ] }""");

        Assert.Equal("Failed", (string?)view["status"]);
        Assert.Contains($"GET {address}big answered with a body over 1024 bytes (maxResponseBytes).", (string?)view["error"]);
    }

    private static async Task<JsonObject> RunAsync(TaskFlowApp app, string definition, string input = "{}")
    {
        var saved = await app.SaveAsync(definition);
        using var run = await app.Client.PostAsync($"/api/definitions/{saved["id"]}/run?wait=true&timeout=60", TaskFlowApp.JsonBody($$"""{ "input": {{input}} }"""));
        var view = (JsonObject)await TaskFlowApp.ReadAsync(run);
        Assert.True(run.StatusCode == HttpStatusCode.OK, view.ToJsonString());
        return view;
    }

    private static JsonNode? Output(JsonObject view, string nodeId) =>
        view["nodes"]!.AsArray().Single(n => (string?)n!["nodeId"] == nodeId)!["output"];
}
