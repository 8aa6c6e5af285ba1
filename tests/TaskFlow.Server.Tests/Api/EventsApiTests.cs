using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using TaskFlow.Server.Tests.Infrastructure;

namespace TaskFlow.Server.Tests.Api;

public sealed class EventsApiTests
{
    //  wait(event paid, correlation input.order) ──> paid(transform wait.output.amount)
    private const string Definition = """
        { "id": "order", "nodes": [
            { "id": "wait", "type": "event", "inputs": { "name": "paid", "correlation": "{{ input.order }}" } },
            { "id": "paid", "type": "transform", "inputs": { "value": "{{ nodes.wait.output.amount }}" } } ],
          "edges": [ { "from": "wait", "to": "paid" } ] }
        """;

    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task PostEvent_Matching_ResumesOnceAndAnswersWithWhatItResumed(string provider)
    {
        await using var app = await TaskFlowApp.StartAsync(provider);
        await app.SaveAsync(Definition);
        var id = await StartAsync(app, "o-1");
        await WaitingAsync(app, id);

        using var unmatched = await app.Client.PostAsync("/api/events/paid", TaskFlowApp.JsonBody("""{ "correlation": "o-2", "payload": { "amount": 1 } }"""));
        using var delivered = await app.Client.PostAsync("/api/events/paid", TaskFlowApp.JsonBody("""{ "correlation": "o-1", "payload": { "amount": 42 } }"""));
        using var again = await app.Client.PostAsync("/api/events/paid", TaskFlowApp.JsonBody("""{ "correlation": "o-1", "payload": { "amount": 43 } }"""));

        Assert.Equal(HttpStatusCode.NotFound, unmatched.StatusCode);
        Assert.Equal("No node waits for event 'paid' with correlation 'o-2', and no published definition takes it earlier ('earlier' on an event node); the event was dropped.", (string?)(await TaskFlowApp.ReadAsync(unmatched))["detail"]);
        Assert.Equal(HttpStatusCode.OK, delivered.StatusCode);
        var resumed = Assert.Single((await TaskFlowApp.ReadAsync(delivered))["resumed"]!.AsArray())!;
        Assert.Equal((id, "wait"), ((string)resumed["instanceId"]!, (string)resumed["nodeId"]!));
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        var view = await FinishedAsync(app, id);
        Assert.Equal("Succeeded", (string?)view["status"]);
        Assert.Equal(42, NodeOutput(view, "paid")!.GetValue<int>());
    }

    // An event that arrives before its node waits: kept when a published definition's event node
    // takes earlier events ('earlier'), and taken by the node when it starts waiting; dropped otherwise.
    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task PostEvent_BeforeTheNodeWaits_KeptOrDroppedPerDefinition(string provider)
    {
        await using var app = await TaskFlowApp.StartAsync(provider);
        await app.SaveAsync(Definition);
        await app.SaveAsync("""
            { "id": "shipping", "nodes": [ { "id": "wait", "type": "event", "inputs": { "name": "shipped", "correlation": "{{ input.order }}", "earlier": "10m" } } ] }
            """);

        using var dropped = await app.Client.PostAsync("/api/events/paid", TaskFlowApp.JsonBody("""{ "correlation": "o-1", "payload": { "amount": 1 } }"""));
        using var kept = await app.Client.PostAsync("/api/events/shipped", TaskFlowApp.JsonBody("""{ "correlation": "o-1", "payload": { "carrier": "ups" } }"""));

        Assert.Equal(HttpStatusCode.NotFound, dropped.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, kept.StatusCode);
        var keptBody = await TaskFlowApp.ReadAsync(kept);
        Assert.Empty(keptBody["resumed"]!.AsArray());
        Assert.True(DateTimeOffset.Parse((string)keptBody["keptUntil"]!, System.Globalization.CultureInfo.InvariantCulture) > DateTimeOffset.UtcNow.AddMinutes(9));

        var paid = await StartAsync(app, "o-1");
        using var run = await app.Client.PostAsync("/api/definitions/shipping/run", TaskFlowApp.JsonBody("""{ "input": { "order": "o-1" } }"""));
        var shipping = (string)(await TaskFlowApp.ReadAsync(run))["id"]!;
        using var other = await app.Client.PostAsync("/api/definitions/shipping/run", TaskFlowApp.JsonBody("""{ "input": { "order": "o-2" } }"""));
        var unrelated = (string)(await TaskFlowApp.ReadAsync(other))["id"]!;

        var view = await FinishedAsync(app, shipping);
        Assert.Equal("Succeeded", (string?)view["status"]);
        Assert.Equal("ups", (string?)NodeOutput(view, "wait")!["carrier"]);
        await WaitingAsync(app, paid);
        await WaitingAsync(app, unrelated);
    }

    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task ResumeUrl_WorksOnceWithoutApiKey(string provider)
    {
        await using var app = await TaskFlowApp.StartAsync(provider);
        await app.SaveAsync(Definition);
        var id = await StartAsync(app, "o-1");
        var url = (string)(await WaitingAsync(app, id))["resumeUrl"]!;
        using var anonymous = app.CreateAnonymousClient();

        using var listWithoutKey = await anonymous.GetAsync("/api/events/waiting");
        using var first = await anonymous.PostAsync(new Uri(url).PathAndQuery, TaskFlowApp.JsonBody("""{ "amount": 7 }"""));
        using var second = await anonymous.PostAsync(new Uri(url).PathAndQuery, TaskFlowApp.JsonBody("""{ "amount": 8 }"""));
        using var guessed = await anonymous.PostAsync("/api/resume/not-a-token", null);

        Assert.Equal(HttpStatusCode.Unauthorized, listWithoutKey.StatusCode);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(id, (string?)(await TaskFlowApp.ReadAsync(first))["instanceId"]);
        Assert.Equal(HttpStatusCode.NotFound, second.StatusCode);
        Assert.Equal("The resume token is unknown or was already used (a token resumes its node once).", (string?)(await TaskFlowApp.ReadAsync(second))["detail"]);
        Assert.Equal(HttpStatusCode.NotFound, guessed.StatusCode);
        Assert.Equal(7, NodeOutput(await FinishedAsync(app, id), "paid")!.GetValue<int>());
    }

    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task PostEvent_BadInput_ClearProblem_NodeStillWaits(string provider)
    {
        await using var app = await TaskFlowApp.StartAsync(provider, new Dictionary<string, string?> { ["TaskFlow:Server:MaxRequestBodySize"] = "1024" });
        await app.SaveAsync(Definition);
        var id = await StartAsync(app, "o-1");
        await WaitingAsync(app, id);

        var answers = new List<(HttpStatusCode Status, string? Detail)>();
        foreach (var content in new HttpContent[]
        {
            TaskFlowApp.JsonBody("{ \"correlation\": \"o-1\",\n \"payload\": }"),
            TaskFlowApp.JsonBody("""{ "correlation": "o-1", "amount": 3 }"""),
            TaskFlowApp.JsonBody("""{ "correlation": 17 }"""),
            TaskFlowApp.JsonBody("[ 1, 2 ]"),
            TaskFlowApp.JsonBody($$"""{ "correlation": "o-1", "payload": "{{new string('x', 2000)}}" }"""),
            new StringContent("correlation=o-1", Encoding.UTF8, "text/plain"),
        })
        {
            using var response = await app.Client.PostAsync("/api/events/paid", content);
            answers.Add((response.StatusCode, (string?)(await TaskFlowApp.ReadAsync(response))["detail"]));
        }

        Assert.Equal(
            [HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, HttpStatusCode.RequestEntityTooLarge, HttpStatusCode.UnsupportedMediaType],
            answers.Select(a => a.Status));
        Assert.StartsWith("Malformed JSON at line 2, column 13", answers[0].Detail);
        Assert.Equal("Unknown member 'amount'; expected correlation, instanceId and payload.", answers[1].Detail);
        Assert.Equal("'correlation' must be a string of 1 to 400 characters.", answers[2].Detail);
        Assert.Contains("must be a JSON object", answers[3].Detail);
        Assert.Contains("TaskFlow:Server:MaxRequestBodySize", answers[4].Detail);
        Assert.Contains("application/json", answers[5].Detail);
        await WaitingAsync(app, id);
        Assert.Equal("Running", (string?)(await app.GetAsync<JsonObject>($"/api/instances/{id}"))["status"]);
    }

    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task SaveDefinition_EventWithoutName_IsRefusedNamingTheNode(string provider)
    {
        await using var app = await TaskFlowApp.StartAsync(provider);

        using var response = await app.Client.PostAsync("/api/definitions", TaskFlowApp.JsonBody("""{ "id": "nameless", "nodes": [ { "id": "wait", "type": "event" } ] }"""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("'wait'", (string?)(await TaskFlowApp.ReadAsync(response))["detail"]);
        Assert.Contains("name", (string?)(await TaskFlowApp.ReadAsync(response))["detail"]);
        Assert.Empty(await app.GetAsync<JsonArray>("/api/definitions"));
    }

    private static async Task<string> StartAsync(TaskFlowApp app, string order)
    {
        using var run = await app.Client.PostAsync("/api/definitions/order/run", TaskFlowApp.JsonBody($$"""{ "input": { "order": "{{order}}" } }"""));
        Assert.Equal(HttpStatusCode.Accepted, run.StatusCode);
        return (string)(await TaskFlowApp.ReadAsync(run))["id"]!;
    }

    private static Task<JsonNode> WaitingAsync(TaskFlowApp app, string instanceId) =>
        app.SingleAsync($"/api/events/waiting?instanceId={instanceId}", $"Instance {instanceId} does not wait for an event");

    private static Task<JsonObject> FinishedAsync(TaskFlowApp app, string instanceId) => app.FinishedAsync(instanceId);

    private static JsonNode? NodeOutput(JsonObject view, string nodeId) =>
        view["nodes"]!.AsArray().Single(n => (string?)n!["nodeId"] == nodeId)!["output"];
}
