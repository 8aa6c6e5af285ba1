using System.Net;
using System.Text.Json.Nodes;
using TaskFlow.Server.Tests.Infrastructure;
using TaskFlow.Testing;

namespace TaskFlow.Server.Tests.Api;

public sealed class ApprovalsApiTests
{
    //  review(approval: ship | hold | cancel) ──ship───> shipped
    //                                         ├─hold───> held
    //                                         └─cancel─> cancelled
    private const string Definition = """
        { "id": "review", "nodes": [
            { "id": "review", "type": "approval", "inputs": {
                "title": "Ship order {{ input.order }}?", "description": "Amount {{ input.amount }}",
                "assignees": ["alice"], "group": "shipping", "options": ["ship", "hold", "cancel"] } },
            { "id": "shipped", "type": "transform", "inputs": { "value": "{{ nodes.review.output.comment }}" } },
            { "id": "held", "type": "noop" },
            { "id": "cancelled", "type": "noop" } ],
          "edges": [
            { "from": "review", "to": "shipped", "fromPort": "ship" },
            { "from": "review", "to": "held", "fromPort": "hold" },
            { "from": "review", "to": "cancelled", "fromPort": "cancel" } ] }
        """;

    // The approval is asked by one server, which stops; a second server on the same database
    // lists it and takes the decision; the flow follows the chosen port and the journal says who.
    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task Approval_WaitsAcrossRestart_DecidedThroughApi_FollowsChosenPort(string provider)
    {
        var (database, drop) = provider == TaskFlowApp.Postgres ? await TestDatabases.CreatePostgresAsync() : TestDatabases.CreateFolder("taskflow-approval-");
        var shared = new Dictionary<string, string?> { [provider == TaskFlowApp.Postgres ? "TaskFlow:Engine:PostgresConnectionString" : "TaskFlow:Engine:DataDirectory"] = database };
        try
        {
            string id;
            await using (var first = await TaskFlowApp.StartAsync(provider, shared))
            {
                await first.SaveAsync(Definition);
                using var run = await first.Client.PostAsync("/api/definitions/review/run", TaskFlowApp.JsonBody("""{ "input": { "order": "o-1", "amount": 30 } }"""));
                id = (string)(await TaskFlowApp.ReadAsync(run))["id"]!;
                await PendingAsync(first, id);
            }

            await using var second = await TaskFlowApp.StartAsync(provider, shared);
            var approval = await PendingAsync(second, id);
            Assert.Equal(("Ship order o-1?", "Amount 30", "shipping"), ((string?)approval["title"], (string?)approval["description"], (string?)approval["group"]));
            Assert.Equal(["ship", "hold", "cancel"], approval["options"]!.AsArray().Select(o => (string?)o));
            Assert.Single(await second.GetAsync<JsonArray>("/api/approvals?assignee=alice"));
            Assert.Single(await second.GetAsync<JsonArray>("/api/approvals?assignee=shipping"));
            Assert.Empty(await second.GetAsync<JsonArray>("/api/approvals?assignee=bob"));

            using var decided = await second.Client.PostAsync($"/api/approvals/{approval["id"]}", TaskFlowApp.JsonBody("""{ "decision": "ship", "comment": "paid in full", "by": "alice" }"""));

            Assert.Equal(HttpStatusCode.OK, decided.StatusCode);
            Assert.Equal(("ship", "alice"), ((string?)(await TaskFlowApp.ReadAsync(decided))["decision"], (string?)(await TaskFlowApp.ReadAsync(decided))["by"]));
            var view = await FinishedAsync(second, id);
            Assert.Equal("Succeeded", (string?)view["status"]);
            Assert.Equal(("Succeeded", "Skipped", "Skipped"), (StatusOf(view, "shipped"), StatusOf(view, "held"), StatusOf(view, "cancelled")));
            Assert.Equal("paid in full", (string?)view["nodes"]!.AsArray().Single(n => (string?)n!["nodeId"] == "shipped")!["output"]);
            var journal = await second.GetAsync<JsonArray>($"/api/instances/{id}/journal");
            var line = journal.Single(j => (string?)j!["type"] == "NodeResumed" && (string?)j["nodeId"] == "review")!;
            Assert.StartsWith("Decision 'ship' by alice (API key ", (string?)line["message"]);
            Assert.EndsWith(": paid in full", (string?)line["message"]);
            Assert.Empty(await second.GetAsync<JsonArray>("/api/approvals"));
        }
        finally
        {
            await drop();
        }
    }

    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task Decide_BadInput_ClearProblem_NothingChanged(string provider)
    {
        await using var app = await TaskFlowApp.StartAsync(provider);
        await app.SaveAsync(Definition);
        using var run = await app.Client.PostAsync("/api/definitions/review/run", TaskFlowApp.JsonBody("""{ "input": { "order": "o-2" } }"""));
        var id = (string)(await TaskFlowApp.ReadAsync(run))["id"]!;
        var approval = (string)(await PendingAsync(app, id))["id"]!;

        using var wrongOption = await app.Client.PostAsync($"/api/approvals/{approval}", TaskFlowApp.JsonBody("""{ "decision": "approve" }"""));
        using var noDecision = await app.Client.PostAsync($"/api/approvals/{approval}", TaskFlowApp.JsonBody("""{ "comment": "hm" }"""));
        using var malformed = await app.Client.PostAsync($"/api/approvals/{approval}", TaskFlowApp.JsonBody("""{ "decision": """));
        using var unknown = await app.Client.PostAsync("/api/approvals/no-such-approval", TaskFlowApp.JsonBody("""{ "decision": "ship" }"""));

        Assert.Equal(HttpStatusCode.BadRequest, wrongOption.StatusCode);
        Assert.Equal($"'approve' is not an option of approval '{approval}'; its options are ship, hold, cancel.", (string?)(await TaskFlowApp.ReadAsync(wrongOption))["detail"]);
        Assert.Equal(HttpStatusCode.BadRequest, noDecision.StatusCode);
        Assert.Equal("'decision' is required: one of the approval's options.", (string?)(await TaskFlowApp.ReadAsync(noDecision))["detail"]);
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        await PendingAsync(app, id);

        using var decided = await app.Client.PostAsync($"/api/approvals/{approval}", TaskFlowApp.JsonBody("""{ "decision": "hold" }"""));
        using var again = await app.Client.PostAsync($"/api/approvals/{approval}", TaskFlowApp.JsonBody("""{ "decision": "ship" }"""));

        Assert.Equal(HttpStatusCode.OK, decided.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal($"Approval '{approval}' was already decided (or timed out); a decision is taken once.", (string?)(await TaskFlowApp.ReadAsync(again))["detail"]);
        var view = await FinishedAsync(app, id);
        Assert.Equal(("Skipped", "Succeeded"), (StatusOf(view, "shipped"), StatusOf(view, "held")));
        Assert.StartsWith("Decision 'hold' by api-key ", (string?)(await app.GetAsync<JsonArray>($"/api/instances/{id}/journal")).Single(j => (string?)j!["type"] == "NodeResumed")!["message"]);
    }

    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task Approval_Timeout_TakesDefaultOutcome(string provider)
    {
        await using var app = await TaskFlowApp.StartAsync(provider);
        await app.SaveAsync("""
            { "id": "lapse", "nodes": [
                { "id": "ask", "type": "approval", "inputs": { "title": "Deploy?", "timeout": "1s", "defaultOutcome": "reject" } },
                { "id": "deploy", "type": "noop" }, { "id": "skip", "type": "noop" } ],
              "edges": [ { "from": "ask", "to": "deploy", "fromPort": "approve" }, { "from": "ask", "to": "skip", "fromPort": "reject" } ] }
            """);

        using var run = await app.Client.PostAsync("/api/definitions/lapse/run", TaskFlowApp.JsonBody("{}"));
        var view = await FinishedAsync(app, (string)(await TaskFlowApp.ReadAsync(run))["id"]!);

        Assert.Equal("Succeeded", (string?)view["status"]);
        Assert.Equal(("Skipped", "Succeeded"), (StatusOf(view, "deploy"), StatusOf(view, "skip")));
        Assert.Empty(await app.GetAsync<JsonArray>("/api/approvals"));
    }

    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task Save_EdgeByPortNotAnOption_IsRefusedNamingThePorts(string provider)
    {
        await using var app = await TaskFlowApp.StartAsync(provider);

        using var response = await app.Client.PostAsync("/api/definitions", TaskFlowApp.JsonBody("""
            { "id": "ports", "nodes": [ { "id": "ask", "type": "approval", "inputs": { "title": "Go?", "options": ["go", "stop"] } }, { "id": "next", "type": "noop" } ],
              "edges": [ { "from": "ask", "to": "next", "fromPort": "approve" } ] }
            """));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("Edge 'ask->next' leaves 'ask' by port 'approve', which approval does not have; its ports are go, stop, timeout, error.", (string?)(await TaskFlowApp.ReadAsync(response))["detail"]);
        Assert.Empty(await app.GetAsync<JsonArray>("/api/definitions"));
    }

    private static Task<JsonNode> PendingAsync(TaskFlowApp app, string instanceId) =>
        app.SingleAsync($"/api/approvals?instanceId={instanceId}", $"Instance {instanceId} has no pending approval");

    private static Task<JsonObject> FinishedAsync(TaskFlowApp app, string instanceId) => app.FinishedAsync(instanceId);

    private static string? StatusOf(JsonObject view, string nodeId) =>
        (string?)view["nodes"]!.AsArray().SingleOrDefault(n => (string?)n!["nodeId"] == nodeId)?["status"] ?? "Pending";
}
