using System.Net;
using System.Text.Json.Nodes;
using TaskFlow.Server.Tests.Infrastructure;

namespace TaskFlow.Server.Tests.Api;

public sealed class ElsaImportApiTests
{
    private const string Route = "/api/definitions/import/elsa";

    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task Import_CurrentConnectionForm_ConvertsWithoutStoring_ThenSaves(string provider)
    {
        await using var app = await TaskFlowApp.StartAsync(provider);

        using var preview = await app.Client.PostAsync(Route, TaskFlowApp.JsonBody(Samples.ReadElsa("order-review")));
        var previewBody = await TaskFlowApp.ReadAsync(preview);
        Assert.Equal(HttpStatusCode.OK, preview.StatusCode);
        Assert.Equal("order-review", previewBody["definition"]!["id"]!.GetValue<string>());
        Assert.Contains(previewBody["definition"]!["nodes"]!.AsArray(), n => n!["type"]!.GetValue<string>() == "join" && n["inputs"]!["mode"]!.GetValue<string>() == "WaitAny");
        Assert.Null(previewBody["saved"]);
        Assert.Empty(await app.GetAsync<JsonArray>("/api/definitions"));

        using var saved = await app.Client.PostAsync(Route + "?save=true", TaskFlowApp.JsonBody(Samples.ReadElsa("order-review")));
        var savedBody = await TaskFlowApp.ReadAsync(saved);
        Assert.Equal(HttpStatusCode.Created, saved.StatusCode);
        Assert.Equal((1, true), (savedBody["saved"]!["version"]!.GetValue<int>(), savedBody["saved"]!["isPublished"]!.GetValue<bool>()));
        Assert.Equal("/api/definitions/order-review?version=1", saved.Headers.Location!.ToString());
        var stored = await app.GetAsync<JsonObject>("/api/definitions/order-review");
        Assert.Equal(previewBody["definition"]!["nodes"]!.AsArray().Count, stored["definition"]!["nodes"]!.AsArray().Count);
    }

    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task Import_LegacyConnectionFormWithCron_SavesAndSchedules(string provider)
    {
        await using var app = await TaskFlowApp.StartAsync(provider);

        // Its ExecuteWorkflow and DispatchWorkflow name these; an import that names missing children is refused.
        using (var refused = await app.Client.PostAsync(Route + "?save=true", TaskFlowApp.JsonBody(Samples.ReadElsa("nightly-sync"))))
        {
            var problem = await TaskFlowApp.ReadAsync(refused);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Contains("'inventory-sync', which is not stored", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        }

        await app.SaveAsync(Samples.Pair("inventory-sync"));
        await app.SaveAsync(Samples.Pair("notify-ops"));
        using var saved = await app.Client.PostAsync(Route + "?save=true", TaskFlowApp.JsonBody(Samples.ReadElsa("nightly-sync")));
        var body = await TaskFlowApp.ReadAsync(saved);

        Assert.Equal(HttpStatusCode.Created, saved.StatusCode);
        var trigger = Assert.Single(body["definition"]!["triggers"]!.AsArray());
        Assert.Equal("cron", trigger!["type"]!.GetValue<string>());
        Assert.Contains(body["definition"]!["nodes"]!.AsArray(), n => ((string)n!["id"]!).EndsWith("DispatchWorkflow1", StringComparison.Ordinal) && n["inputs"]!["wait"]!.GetValue<bool>() == false);
        var id = body["saved"]!["id"]!.GetValue<string>();
        var stored = await app.GetAsync<JsonObject>($"/api/definitions/{id}");
        Assert.Equal(trigger["cron"]!.GetValue<string>(), stored["definition"]!["triggers"]![0]!["cron"]!.GetValue<string>());
    }

    // A ForEach whose body is a sequence of two lines: the body becomes a workflow of its own, stored first.
    private const string LoopWorkflow = """
        {
          "definitionId": "greet-all", "name": "Greet all",
          "root": { "id": "Flowchart1", "type": "Elsa.Flowchart", "connections": [], "activities": [
            { "id": "Each1", "type": "Elsa.ForEach",
              "items": { "typeName": "Object", "expression": { "type": "JavaScript", "value": "[\"Ann\", \"Bo\"]" } },
              "body": { "id": "Body1", "type": "Elsa.Sequence", "activities": [
                { "id": "Hello", "type": "Elsa.WriteLine", "text": { "typeName": "String", "expression": { "type": "JavaScript", "value": "`Hello ${getCurrentValue()}`" } } },
                { "id": "Bye", "type": "Elsa.WriteLine", "text": { "typeName": "String", "expression": { "type": "JavaScript", "value": "`Bye ${getCurrentValue()}`" } } } ] } } ] }
        }
        """;

    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task Import_LoopWithABodyOfSeveralActivities_StoresTheBodyWorkflowFirst_AndRunsItPerItem(string provider)
    {
        await using var app = await TaskFlowApp.StartAsync(provider);

        using var preview = await app.Client.PostAsync(Route, TaskFlowApp.JsonBody(LoopWorkflow));
        var previewBody = await TaskFlowApp.ReadAsync(preview);
        Assert.Equal(HttpStatusCode.OK, preview.StatusCode);
        Assert.Equal("greet-all.Each1-body", (string?)Assert.Single(previewBody["companions"]!.AsArray())!["definition"]!["id"]);
        Assert.Empty(await app.GetAsync<JsonArray>("/api/definitions"));

        using var saved = await app.Client.PostAsync(Route + "?save=true", TaskFlowApp.JsonBody(LoopWorkflow));
        var body = await TaskFlowApp.ReadAsync(saved);
        Assert.Equal(HttpStatusCode.Created, saved.StatusCode);
        Assert.Equal(("greet-all.Each1-body", 1), ((string?)body["companions"]![0]!["saved"]!["id"], (int)body["companions"]![0]!["saved"]!["version"]!));

        using var run = await app.Client.PostAsync("/api/definitions/greet-all/run", TaskFlowApp.JsonBody("{}"));
        var finished = await app.FinishedAsync((string)(await TaskFlowApp.ReadAsync(run))["id"]!);
        Assert.Equal("Succeeded", (string?)finished["status"]);
        var outputs = finished["nodes"]!.AsArray().Single(n => (string?)n!["nodeId"] == "Each1")!["output"]!.AsArray();
        Assert.Equal(2, outputs.Count);
        var bodies = await app.GetAsync<JsonObject>("/api/instances?definition=greet-all.Each1-body");
        var lines = new List<string>();
        foreach (var instance in bodies["items"]!.AsArray())
        {
            var view = await app.FinishedAsync((string)instance!["id"]!);
            Assert.Equal("Succeeded", (string?)view["status"]);
            lines.AddRange(view["nodes"]!.AsArray().Where(n => n!["output"]?["message"] is not null).Select(n => (string)n!["output"]!["message"]!));
        }

        Assert.Equal(["Bye Ann", "Bye Bo", "Hello Ann", "Hello Bo"], lines.Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task Import_UnsupportedActivities_OneErrorListsEach_NothingStored(string provider)
    {
        await using var app = await TaskFlowApp.StartAsync(provider);

        using var response = await app.Client.PostAsync(Route + "?save=true", TaskFlowApp.JsonBody(Samples.ReadElsa("http-approval")));
        var problem = await TaskFlowApp.ReadAsync(response);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("The Elsa workflow cannot be imported.", problem["title"]!.GetValue<string>());
        var listed = problem["errors"]!.AsArray().Select(e => (e!["activityId"]!.GetValue<string>(), e["activityType"]!.GetValue<string>())).ToHashSet();
        Assert.Equal(new HashSet<(string, string)> { ("Break1", "Elsa.Break"), ("SendEmail1", "Elsa.SendEmail") }, listed);
        Assert.Empty(await app.GetAsync<JsonArray>("/api/definitions"));
    }

    [Fact]
    public async Task Import_NotAnElsaDocument_IsAProblem()
    {
        await using var app = await TaskFlowApp.StartAsync(TaskFlowApp.Sqlite);

        using var malformed = await app.Client.PostAsync(Route, TaskFlowApp.JsonBody("{ \"root\": "));
        using var notElsa = await app.Client.PostAsync(Route, TaskFlowApp.JsonBody(Samples.Pair("plain")));

        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, notElsa.StatusCode);
        Assert.Equal("The Elsa workflow cannot be imported.", (await TaskFlowApp.ReadAsync(notElsa))["title"]!.GetValue<string>());
    }

    //   Intro(WriteLine) ──> Approve1 (Custom.Approve, a project's own activity) ─[Approved]─> Yes(WriteLine)
    //                                                                              └[Rejected]─> No(WriteLine)
    private const string CustomActivityWorkflow = """
        {
          "definitionId": "expense", "name": "Expense",
          "variables": [ { "id": "amount-id", "name": "Amount", "typeName": "Int32", "value": "1250" } ],
          "root": { "id": "Flowchart1", "type": "Elsa.Flowchart", "activities": [
            { "id": "Intro", "type": "Elsa.WriteLine", "text": { "typeName": "String", "expression": { "type": "Literal", "value": "asking" } } },
            { "id": "Approve1", "type": "Acme.Expenses.Approve", "name": "Approve expense",
              "message": { "typeName": "String", "expression": { "type": "JavaScript", "value": "`Approve ${getAmount()} EUR?`" } },
              "approver": { "typeName": "String", "expression": { "type": "Literal", "value": "finance" } },
              "url": { "typeName": "String", "memoryReference": { "id": "unset-input" } } },
            { "id": "Yes", "type": "Elsa.WriteLine", "text": { "typeName": "String", "expression": { "type": "Literal", "value": "paid" } } },
            { "id": "No", "type": "Elsa.WriteLine", "text": { "typeName": "String", "expression": { "type": "Literal", "value": "refused" } } } ],
            "connections": [
              { "source": { "activity": "Intro", "port": "Done" }, "target": { "activity": "Approve1", "port": "In" } },
              { "source": { "activity": "Approve1", "port": "Approved" }, "target": { "activity": "Yes", "port": "In" } },
              { "source": { "activity": "Approve1", "port": "Rejected" }, "target": { "activity": "No", "port": "In" } } ] }
        }
        """;

    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task Import_CustomActivityAsTask_TheProjectsServiceCompletesIt_AndItsOutcomeChoosesThePort(string provider)
    {
        await using var app = await TaskFlowApp.StartAsync(provider);

        // By default the activity is refused, and the refusal says how to import it as a task.
        using (var refused = await app.Client.PostAsync(Route, TaskFlowApp.JsonBody(CustomActivityWorkflow)))
        {
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Contains("?customActivities=task", (string?)(await TaskFlowApp.ReadAsync(refused))["detail"], StringComparison.Ordinal);
        }

        using (var wrong = await app.Client.PostAsync(Route + "?customActivities=tasks", TaskFlowApp.JsonBody(CustomActivityWorkflow)))
        {
            Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
            Assert.Contains("use refuse (the default) or task", (string?)(await TaskFlowApp.ReadAsync(wrong))["detail"], StringComparison.Ordinal);
        }

        using (var imported = await app.Client.PostAsync(Route + "?save=true&customActivities=task", TaskFlowApp.JsonBody(CustomActivityWorkflow)))
        {
            var body = await TaskFlowApp.ReadAsync(imported);
            Assert.True(imported.StatusCode == HttpStatusCode.Created, body.ToJsonString());
            Assert.Contains(body["notes"]!.AsArray(), n => ((string?)n)!.Contains("'Acme.Expenses.Approve' is an activity your project defines in code", StringComparison.Ordinal));
        }

        using var run = await app.Client.PostAsync("/api/definitions/expense/run", TaskFlowApp.JsonBody("{}"));
        var instance = (string)(await TaskFlowApp.ReadAsync(run))["id"]!;

        // The project's service finds the task by the activity's type, with the activity's inputs.
        var task = await app.SingleAsync("/api/agent-tasks?status=ready&capability=Acme.Expenses.Approve", "No ready task for the custom activity");
        Assert.Equal("Approve expense", (string?)task["title"]);
        Assert.Equal("Approve 1250 EUR?", (string?)task["input"]!["message"]);
        Assert.Equal("finance", (string?)task["input"]!["approver"]);
        var id = (string)task["id"]!;
        using var claim = await app.Client.PostAsync($"/api/agent-tasks/{id}/claim", TaskFlowApp.JsonBody("""{ "agent": "expenses-service" }"""));
        var lease = (string)(await TaskFlowApp.ReadAsync(claim))["leaseToken"]!;
        using var done = await app.Client.PostAsync($"/api/agent-tasks/{id}/complete", TaskFlowApp.JsonBody($$"""{ "leaseToken": "{{lease}}", "output": { "outcome": "Rejected", "reason": "over budget" } }"""));
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);

        var view = await app.FinishedAsync(instance);
        Assert.Equal("Succeeded", (string?)view["status"]);
        var nodes = view["nodes"]!.AsArray().ToDictionary(n => (string)n!["nodeId"]!, n => (string?)n!["status"]);
        Assert.Equal(("Succeeded", "Skipped"), (nodes["No"], nodes["Yes"]));
    }
}
