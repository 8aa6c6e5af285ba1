using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using TaskFlow.Server.Tests.Infrastructure;

namespace TaskFlow.Server.Tests.Audit;

/// <summary>The audit trail: who did what, to what, with which result, as admins read it from <c>GET /api/audit</c>.</summary>
public sealed class AuditApiTests
{
    private const string Root = "root-key-0123456789abcdef";
    private const string Ops = "ops-key-0123456789abcdef";
    private const string Reader = "reader-key-0123456789abcdef";

    private const string Definition = """
        { "id": "audited", "nodes": [
            { "id": "wait", "type": "event", "inputs": { "name": "paid", "correlation": "{{ input.order }}" } },
            { "id": "done", "type": "transform", "inputs": { "value": "{{ nodes.wait.output.amount }}" } } ],
          "edges": [ { "from": "wait", "to": "done" } ] }
        """;

    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task EveryChange_IsRecorded_WithTheKeysNameRoleTargetAndStatus_ReadsAreNot(string provider)
    {
        await using var app = await TaskFlowApp.StartAsync(provider, new Dictionary<string, string?>
        {
            ["TaskFlow:Server:ApiKeys:0"] = null,
            ["TaskFlow:Server:Keys:0:Name"] = "root", ["TaskFlow:Server:Keys:0:Role"] = "admin", ["TaskFlow:Server:Keys:0:Key"] = Root,
            ["TaskFlow:Server:Keys:1:Name"] = "ops", ["TaskFlow:Server:Keys:1:Role"] = "operator", ["TaskFlow:Server:Keys:1:Key"] = Ops,
            ["TaskFlow:Server:Keys:2:Name"] = "reader", ["TaskFlow:Server:Keys:2:Role"] = "viewer", ["TaskFlow:Server:Keys:2:Key"] = Reader,
        });
        using var root = Client(app, Root);
        using var ops = Client(app, Ops);
        using var reader = Client(app, Reader);

        Assert.Equal(HttpStatusCode.Created, (await root.PostAsync("/api/definitions", TaskFlowApp.JsonBody(Definition))).StatusCode);
        var run = await ops.PostAsync("/api/definitions/audited/run", TaskFlowApp.JsonBody("""{ "input": { "order": "o-1" } }"""));
        Assert.Equal(HttpStatusCode.Accepted, run.StatusCode);
        var instance = (string)(await TaskFlowApp.ReadAsync(run))["id"]!;
        Assert.Equal(HttpStatusCode.Forbidden, (await ops.DeleteAsync("/api/definitions/audited")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync($"/api/instances/{instance}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Client(app, "not-a-key-0123456789").PostAsync("/api/definitions/audited/run", TaskFlowApp.JsonBody("{}"))).StatusCode);

        // The node waits; it is resumed through its resume URL, which needs no key.
        JsonNode? waiting = null;
        for (var i = 0; i < 400 && waiting is null; i++)
        {
            waiting = (await (await ops.GetAsync($"/api/events/waiting?instanceId={instance}")).Content.ReadFromJsonAsync<JsonArray>())!.FirstOrDefault();
            await Task.Delay(25);
        }

        var resume = new Uri((string)waiting!["resumeUrl"]!).PathAndQuery;
        using var anonymous = app.CreateAnonymousClient();
        Assert.Equal(HttpStatusCode.OK, (await anonymous.PostAsync(resume, TaskFlowApp.JsonBody("""{ "amount": 3 }"""))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await ops.PostAsync("/api/instances/none/cancel", null)).StatusCode);

        var page = await ReadAsync(root, "/api/audit");
        var entries = page["entries"]!.AsArray().Select(e => ((string)e!["actor"]!, (string?)e["role"], (string)e["action"]!, (string?)e["target"], (int)e["status"]!)).ToList();
        Assert.Equal(
            [
                ("ops", "operator", "instance.cancel", "none", 404),
                ("resume-url", null, "wait.resume", null, 200),
                ("ops", "operator", "definition.delete", "audited", 403),
                ("ops", "operator", "instance.run", "audited", 202),
                ("root", "admin", "definition.save", null, 201),
            ],
            entries);

        // The resume token is a credential: not in the trail.
        Assert.DoesNotContain(resume.Split('/')[^1], page.ToJsonString(), StringComparison.Ordinal);

        // Filters, and paging by cursor.
        Assert.Equal(["instance.run", "definition.delete", "instance.cancel"], (await ReadAsync(root, "/api/audit?actor=ops"))["entries"]!.AsArray().Select(e => (string)e!["action"]!).Reverse());
        Assert.Single((await ReadAsync(root, "/api/audit?action=instance.run&target=audited"))["entries"]!.AsArray());
        Assert.Empty((await ReadAsync(root, $"/api/audit?until={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddHours(-1).ToString("O"))}"))["entries"]!.AsArray());
        var first = await ReadAsync(root, "/api/audit?take=2");
        Assert.Equal(2, first["entries"]!.AsArray().Count);
        var second = await ReadAsync(root, $"/api/audit?take=2&before={(string)first["next"]!}");
        var third = await ReadAsync(root, $"/api/audit?take=2&before={(string)second["next"]!}");
        Assert.Equal(entries.Select(e => e.Item3), new[] { first, second, third }.SelectMany(p => p["entries"]!.AsArray()).Select(e => (string)e!["action"]!));
        Assert.Null((string?)third["next"]);

        // Admins only, and bad filters are named.
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.GetAsync("/api/audit")).StatusCode);
        var badSince = await root.GetAsync("/api/audit?since=yesterday");
        Assert.Equal(HttpStatusCode.BadRequest, badSince.StatusCode);
        Assert.Contains("since 'yesterday' is not a date and time", (string?)(await TaskFlowApp.ReadAsync(badSince))["detail"], StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, (await root.GetAsync("/api/audit?take=0")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await root.GetAsync("/api/audit?before=abc")).StatusCode);
    }

    [Fact]
    public async Task HttpTriggerCallers_AreRecordedByKeyName_DeclaredIdentity_SignedPath_OrAnonymous()
    {
        const string Secret = "webhook-secret-0123456789";
        await using var app = await TaskFlowApp.StartAsync(TaskFlowApp.Sqlite, new Dictionary<string, string?>
        {
            ["TaskFlow:Server:ApiKeys:0"] = null,
            ["TaskFlow:Server:Keys:0:Name"] = "root", ["TaskFlow:Server:Keys:0:Role"] = "admin", ["TaskFlow:Server:Keys:0:Key"] = Root,
            ["TaskFlow:Server:Keys:1:Name"] = "ops", ["TaskFlow:Server:Keys:1:Role"] = "operator", ["TaskFlow:Server:Keys:1:Key"] = Ops,
            ["TaskFlow:HttpTriggers:Secrets:hook"] = Secret,
        }, kestrel: true);
        using var root = Client(app, Root);
        foreach (var definition in new[]
        {
            """{ "id": "keyed", "triggers": [ { "type": "http", "path": "keyed" } ], "nodes": [ { "id": "a", "type": "noop" } ] }""",
            """{ "id": "github", "triggers": [ { "type": "http", "path": "github/push", "auth": "hmac", "secret": "hook", "identity": "github" } ], "nodes": [ { "id": "a", "type": "noop" } ] }""",
            """{ "id": "signed", "triggers": [ { "type": "http", "path": "signed", "auth": "hmac", "secret": "hook" } ], "nodes": [ { "id": "a", "type": "noop" } ] }""",
            """{ "id": "open", "triggers": [ { "type": "http", "path": "open", "auth": "none" } ], "nodes": [ { "id": "a", "type": "noop" } ] }""",
        })
        {
            Assert.Equal(HttpStatusCode.Created, (await root.PostAsync("/api/definitions", TaskFlowApp.JsonBody(definition))).StatusCode);
        }

        const string Payload = "{}";
        HttpRequestMessage Signed(string path)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = TaskFlowApp.JsonBody(Payload) };
            request.Headers.Add("X-Hub-Signature-256", "sha256=" + Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Secret), System.Text.Encoding.UTF8.GetBytes(Payload))));
            return request;
        }

        using var ops = Client(app, Ops);
        using var anonymous = app.CreateAnonymousClient();
        Assert.Equal(HttpStatusCode.Accepted, (await ops.PostAsync("/workflows/keyed", TaskFlowApp.JsonBody(Payload))).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await anonymous.SendAsync(Signed("/workflows/github/push"))).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await anonymous.SendAsync(Signed("/workflows/signed"))).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await anonymous.PostAsync("/workflows/open", TaskFlowApp.JsonBody(Payload))).StatusCode);

        var calls = (await ReadAsync(root, "/api/audit?take=4"))["entries"]!.AsArray()
            .Select(e => ((string)e!["actor"]!, (string?)e["role"], (string?)e["target"])).Reverse().ToList();
        Assert.Equal([("ops", "operator", "keyed"), ("github", null, "github/push"), ("signed:signed", null, "signed"), ("anonymous", null, "open")], calls);

        // An identity where the key names the caller is refused, naming the rule.
        using var refused = await root.PostAsync("/api/definitions", TaskFlowApp.JsonBody("""{ "id": "both", "triggers": [ { "type": "http", "path": "both", "identity": "github" } ], "nodes": [ { "id": "a", "type": "noop" } ] }"""));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("trigger.http.identity", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static HttpClient Client(TaskFlowApp app, string key)
    {
        var client = app.CreateAnonymousClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", key);
        return client;
    }

    private static async Task<JsonObject> ReadAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonNode.Parse(body)!.AsObject();
    }
}
