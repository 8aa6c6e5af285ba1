using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using TaskFlow.Server.Tests.Infrastructure;

namespace TaskFlow.Server.Tests.HttpTriggers;

/// <summary>
/// http triggers over real HTTP (Kestrel on 127.0.0.1) on SQLite and PostgreSQL: the request
/// starts an instance, <c>http.respond</c> or the workflow's output answers it.
/// </summary>
public sealed class HttpTriggerEndpointsTests
{
    //  check(noop) ──> respond(http.respond 201) ──> again(http.respond)
    private const string Webhook = """
        { "id": "order-hook",
          "triggers": [ { "type": "http", "path": "orders/{id}", "methods": ["POST"], "auth": "none" } ],
          "nodes": [
            { "id": "check", "type": "noop" },
            { "id": "respond", "type": "http.respond", "inputs": {
                "status": 201, "headers": { "X-Order": "{{ input.route.id }}" },
                "body": { "order": "{{ input.route.id }}", "amount": "{{ input.body.amount }}", "q": "{{ input.query.source }}" } } },
            { "id": "again", "type": "http.respond", "inputs": { "status": 500 } } ],
          "edges": [ { "from": "check", "to": "respond" }, { "from": "respond", "to": "again" } ] }
        """;

    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task Post_WorkflowWithHttpRespond_AnswersFromItOnceAndTheSecondFails(string provider)
    {
        await using var app = await TaskFlowApp.StartAsync(provider, kestrel: true);
        await app.SaveAsync(Webhook);
        using var caller = app.CreateAnonymousClient();

        using var response = await caller.PostAsync("/workflows/orders/17?source=shop", TaskFlowApp.JsonBody("""{ "amount": 42 }"""));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("17", Assert.Single(response.Headers.GetValues("X-Order")));
        var body = await TaskFlowApp.ReadAsync(response);
        Assert.Equal("17", (string?)body["order"]);
        Assert.Equal(42, (int?)body["amount"]);
        Assert.Equal("shop", (string?)body["q"]);

        var instance = Assert.Single((await app.GetAsync<JsonObject>("/api/instances"))["items"]!.AsArray())!;
        var view = await app.FinishedAsync((string)instance["id"]!);
        Assert.Equal("Failed", (string?)view["status"]);
        var again = view["nodes"]!.AsArray().Single(n => (string?)n!["nodeId"] == "again")!;
        Assert.Equal("The HTTP response was already sent by node 'respond'; an instance answers its caller once.", (string?)again["error"]);
        Assert.Equal("POST", (string?)view["input"]!["method"]);
        Assert.Equal(42, (int?)view["input"]!["body"]!["amount"]);
    }

    //  total(transform) ; output { total }
    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task Post_TriggerWithWait_Answers200WithTheOutput(string provider)
    {
        await using var app = await TaskFlowApp.StartAsync(provider, kestrel: true);
        await app.SaveAsync("""
            { "id": "sum", "triggers": [ { "type": "http", "path": "sum", "wait": "30s" } ],
              "nodes": [ { "id": "total", "type": "transform", "inputs": { "value": "{{ input.body.a }}" } } ],
              "output": { "total": "{{ nodes.total.output }}" } }
            """);

        using var response = await app.Client.PostAsync("/workflows/sum", TaskFlowApp.JsonBody("""{ "a": 5 }"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(5, (int?)(await TaskFlowApp.ReadAsync(response))["total"]);
    }

    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task Post_NoRespondNoWait_Answers202WithTheInstanceAndNeedsTheKeyByDefault(string provider)
    {
        await using var app = await TaskFlowApp.StartAsync(provider, kestrel: true);
        await app.SaveAsync("""{ "id": "plain", "triggers": [ { "type": "http", "path": "plain" } ], "nodes": [ { "id": "a", "type": "noop" } ] }""");
        using var anonymous = app.CreateAnonymousClient();

        using var refused = await anonymous.PostAsync("/workflows/plain", TaskFlowApp.JsonBody("{}"));
        var nothing = (await app.GetAsync<JsonObject>("/api/instances"))["items"]!.AsArray();
        using var wrongMethod = await app.Client.GetAsync("/workflows/plain");
        using var unknown = await app.Client.PostAsync("/workflows/nothing-here", TaskFlowApp.JsonBody("{}"));
        using var correlated = new HttpRequestMessage(HttpMethod.Post, "/workflows/plain") { Content = TaskFlowApp.JsonBody("{}") };
        correlated.Headers.Add("X-Correlation-Id", "order-77");
        using var accepted = await app.Client.SendAsync(correlated);

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Empty(nothing);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, wrongMethod.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var id = (string)(await TaskFlowApp.ReadAsync(accepted))["id"]!;
        Assert.Equal($"/api/instances/{id}", accepted.Headers.Location?.ToString());
        var finished = await app.FinishedAsync(id);
        Assert.Null(finished["input"]!["headers"]!["x-api-key"]);

        // The caller's X-Correlation-Id is the run's correlation id.
        Assert.Equal("order-77", (string?)finished["correlationId"]);
    }

    [Fact]
    public async Task Post_ApiKeyTriggerWithAViewerKey_Is403NamingTheRoleAndStartsNothing()
    {
        await using var app = await TaskFlowApp.StartAsync(TaskFlowApp.Sqlite, new Dictionary<string, string?>
        {
            ["TaskFlow:Server:Keys:0:Name"] = "reader",
            ["TaskFlow:Server:Keys:0:Role"] = "viewer",
            ["TaskFlow:Server:Keys:0:Key"] = "viewer-key-0123456789abcdef",
        }, kestrel: true);
        await app.SaveAsync("""{ "id": "plain", "triggers": [ { "type": "http", "path": "plain" } ], "nodes": [ { "id": "a", "type": "noop" } ] }""");
        using var viewer = app.CreateAnonymousClient();
        viewer.DefaultRequestHeaders.Add("X-Api-Key", "viewer-key-0123456789abcdef");

        using var refused = await viewer.PostAsync("/workflows/plain", TaskFlowApp.JsonBody("{}"));

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("POST /workflows/plain needs the operator role; the key 'reader' has the viewer role.", (string?)(await TaskFlowApp.ReadAsync(refused))["detail"]);
        Assert.Empty((await app.GetAsync<JsonObject>("/api/instances"))["items"]!.AsArray());
    }

    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task Post_HmacTrigger_WrongSignatureIs401AndStartsNothing(string provider)
    {
        const string Secret = "webhook-secret-0123456789";
        await using var app = await TaskFlowApp.StartAsync(provider, new Dictionary<string, string?> { ["TaskFlow:HttpTriggers:Secrets:github"] = Secret }, kestrel: true);
        await app.SaveAsync("""{ "id": "signed", "triggers": [ { "type": "http", "path": "github/push", "auth": "hmac", "secret": "github" } ], "nodes": [ { "id": "a", "type": "noop" } ] }""");
        using var caller = app.CreateAnonymousClient();
        const string Payload = """{ "ref": "refs/heads/main" }""";

        using var unsigned = await caller.PostAsync("/workflows/github/push", TaskFlowApp.JsonBody(Payload));
        using var wrong = await caller.SendAsync(Signed(Payload, "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData("other"u8.ToArray(), Encoding.UTF8.GetBytes(Payload)))));
        var nothing = (await app.GetAsync<JsonObject>("/api/instances"))["items"]!.AsArray();
        using var right = await caller.SendAsync(Signed(Payload, "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.UTF8.GetBytes(Payload)))));

        Assert.Equal(HttpStatusCode.Unauthorized, unsigned.StatusCode);
        Assert.Contains("no X-Hub-Signature-256 header", (string?)(await TaskFlowApp.ReadAsync(unsigned))["detail"]);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal("The X-Hub-Signature-256 signature does not match the body. Nothing was started.", (string?)(await TaskFlowApp.ReadAsync(wrong))["detail"]);
        Assert.Empty(nothing);
        Assert.Equal(HttpStatusCode.Accepted, right.StatusCode);
        var input = (await app.FinishedAsync((string)(await TaskFlowApp.ReadAsync(right))["id"]!))["input"]!;
        Assert.Equal("refs/heads/main", (string?)input["body"]!["ref"]);
        Assert.Null(input["headers"]!["x-hub-signature-256"]);
    }

    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task Post_BadBodies_OversizedIs413MalformedIs400AndNothingStarts(string provider)
    {
        await using var app = await TaskFlowApp.StartAsync(provider, new Dictionary<string, string?> { ["TaskFlow:HttpTriggers:MaxBodySize"] = "2048" }, kestrel: true);
        await app.SaveAsync("""{ "id": "open", "triggers": [ { "type": "http", "path": "in", "auth": "none" } ], "nodes": [ { "id": "a", "type": "noop" } ] }""");
        using var caller = app.CreateAnonymousClient();

        using var oversized = await caller.PostAsync("/workflows/in", TaskFlowApp.JsonBody($$"""{ "text": "{{new string('x', 4096)}}" }"""));
        using var malformed = await caller.PostAsync("/workflows/in", TaskFlowApp.JsonBody("""{ "a": 1, }x"""));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, oversized.StatusCode);
        Assert.Contains("limit of 2048 bytes (TaskFlow:HttpTriggers:MaxBodySize)", (string?)(await TaskFlowApp.ReadAsync(oversized))["detail"]);
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.StartsWith("Malformed JSON at line 1, column", (string?)(await TaskFlowApp.ReadAsync(malformed))["detail"]);
        Assert.Empty((await app.GetAsync<JsonObject>("/api/instances"))["items"]!.AsArray());
    }

    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task Save_RouteAnotherDefinitionServes_IsRefusedNamingIt(string provider)
    {
        await using var app = await TaskFlowApp.StartAsync(provider);
        await app.SaveAsync("""{ "id": "first", "triggers": [ { "type": "http", "path": "orders/{id}" } ], "nodes": [ { "id": "a", "type": "noop" } ] }""");

        using var refused = await app.Client.PostAsync("/api/definitions", TaskFlowApp.JsonBody("""{ "id": "second", "triggers": [ { "type": "http", "path": "orders/{orderId}", "methods": ["PUT", "POST"] } ], "nodes": [ { "id": "a", "type": "noop" } ] }"""));
        using var draft = await app.Client.PostAsync("/api/definitions?publish=false", TaskFlowApp.JsonBody("""{ "id": "second", "triggers": [ { "type": "http", "path": "orders/{orderId}" } ], "nodes": [ { "id": "a", "type": "noop" } ] }"""));
        using var publish = await app.Client.PostAsync("/api/definitions/second/publish", null);

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("Trigger #1 claims POST /workflows/orders/{orderId}, which published definition 'first' (trigger #1, 'orders/{id}') already serves. Change the path or method, or delete the other definition first.", (string?)(await TaskFlowApp.ReadAsync(refused))["detail"]);
        Assert.Equal(HttpStatusCode.Created, draft.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, publish.StatusCode);
        Assert.Contains("published definition 'first'", (string?)(await TaskFlowApp.ReadAsync(publish))["detail"]);
    }

    // Two servers on one PostgreSQL: a definition published through one is served by the other,
    // and gone from it once deleted, without a restart.
    [Fact]
    public async Task PublishAndDelete_OnAnotherServer_RouteComesAndGoes()
    {
        var fast = new Dictionary<string, string?> { ["TaskFlow:HttpTriggers:RefreshInterval"] = "00:00:00.200" };
        await using var first = await TaskFlowApp.StartAsync(TaskFlowApp.Postgres, fast, kestrel: true);
        await using var second = await TaskFlowApp.StartAsync(TaskFlowApp.Postgres, new Dictionary<string, string?>(fast) { ["TaskFlow:Engine:PostgresConnectionString"] = first.Connection }, kestrel: true);
        using var before = await second.Client.PostAsync("/workflows/shared/x", TaskFlowApp.JsonBody("{}"));

        await first.SaveAsync("""{ "id": "shared", "triggers": [ { "type": "http", "path": "shared/{key}" } ], "nodes": [ { "id": "a", "type": "noop" } ] }""");
        var served = await StatusWhenAsync(second, "/workflows/shared/x", HttpStatusCode.Accepted);
        using var deleted = await first.Client.DeleteAsync("/api/definitions/shared");
        var gone = await StatusWhenAsync(second, "/workflows/shared/x", HttpStatusCode.NotFound);

        Assert.Equal(HttpStatusCode.NotFound, before.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, served);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, gone);
    }

    // Two servers on one PostgreSQL publishing definitions that claim the same route at the same
    // moment, round after round: in every round exactly one is stored, and the other is refused
    // naming it.
    [Fact]
    public async Task Publish_SameRouteOnTwoServersAtOnce_ExactlyOneWinsEveryRound()
    {
        await using var first = await TaskFlowApp.StartAsync(TaskFlowApp.Postgres);
        await using var second = await TaskFlowApp.StartAsync(TaskFlowApp.Postgres, new Dictionary<string, string?> { ["TaskFlow:Engine:PostgresConnectionString"] = first.Connection });
        for (var round = 0; round < 12; round++)
        {
            string Claim(string id) => $$"""{ "id": "{{id}}", "triggers": [ { "type": "http", "path": "race/{{round}}/{key}" } ], "nodes": [ { "id": "a", "type": "noop" } ] }""";
            var saves = await Task.WhenAll(
                first.Client.PostAsync("/api/definitions", TaskFlowApp.JsonBody(Claim($"left-{round}"))),
                second.Client.PostAsync("/api/definitions", TaskFlowApp.JsonBody(Claim($"right-{round}"))));

            var statuses = saves.Select(r => r.StatusCode).ToList();
            Assert.Equal(1, statuses.Count(s => s == HttpStatusCode.Created));
            var refused = saves.Single(r => r.StatusCode != HttpStatusCode.Created);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            var winner = saves[0].StatusCode == HttpStatusCode.Created ? $"left-{round}" : $"right-{round}";
            Assert.Contains($"published definition '{winner}'", (string?)(await TaskFlowApp.ReadAsync(refused))["detail"], StringComparison.Ordinal);
            foreach (var save in saves)
            {
                save.Dispose();
            }
        }

        var stored = await first.GetAsync<JsonArray>("/api/definitions");
        Assert.Equal(12, stored.Count);
    }

    private static HttpRequestMessage Signed(string payload, string signature)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/workflows/github/push") { Content = TaskFlowApp.JsonBody(payload) };
        request.Headers.Add("X-Hub-Signature-256", signature);
        return request;
    }

    // Posts until the answer is the wanted status, at most 10 s; returns the last status.
    private static async Task<HttpStatusCode> StatusWhenAsync(TaskFlowApp app, string path, HttpStatusCode wanted)
    {
        var status = default(HttpStatusCode);
        for (var i = 0; i < 200 && status != wanted; i++)
        {
            using var response = await app.Client.PostAsync(path, TaskFlowApp.JsonBody("{}"));
            status = response.StatusCode;
            if (status != wanted)
            {
                await Task.Delay(50);
            }
        }

        return status;
    }
}
