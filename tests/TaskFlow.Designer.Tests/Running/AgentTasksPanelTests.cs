using System.Text.Json.Nodes;
using TaskFlow.Designer.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace TaskFlow.Designer.Tests.Running;

[Collection(DesignerCollection.Name)]
public sealed class AgentTasksPanelTests(DesignerFixture fixture)
{
    //   review (agent, capability panel-review) ──> report (transform of the agent's output)
    [Fact]
    public async Task AgentsPanel_ListsByCapability_ClaimsAndCompletesATask_WithJsonOutput()
    {
        await fixture.Server.PostAsync("/api/definitions", """
            { "id": "panel-review", "nodes": [
                { "id": "review", "type": "agent", "inputs": { "title": "Review pull request {{ input.pr }}", "capability": "panel-review", "input": { "pr": "{{ input.pr }}" } }, "layout": { "x": 0, "y": 0 } },
                { "id": "report", "type": "transform", "inputs": { "value": "{{ nodes.review.output.verdict }}" }, "layout": { "x": 260, "y": 0 } } ],
              "edges": [ { "from": "review", "to": "report" } ] }
            """);
        var instanceId = (string)(await fixture.Server.PostAsync("/api/definitions/panel-review/run", """{ "input": { "pr": "7" } }"""))["id"]!;
        var taskId = await ReadyTaskAsync(instanceId);

        await using var designer = await DesignerPage.OpenAsync(fixture, nameof(AgentsPanel_ListsByCapability_ClaimsAndCompletesATask_WithJsonOutput));
        await designer.Page.GetByTestId("tab-agents").ClickAsync();
        await designer.FillAsync("agent-tasks-capability", "panel-review");
        var card = designer.Page.GetByTestId($"agent-task-{taskId}");
        await Expect(card).ToContainTextAsync("Review pull request 7");
        await Expect(card).ToContainTextAsync($"Instance {instanceId}, node review");
        await designer.FillAsync("agent-tasks-capability", "no-such-capability");
        await Expect(card).ToHaveCountAsync(0);
        await designer.FillAsync("agent-tasks-capability", "panel-review");

        await card.GetByTestId("agent-task-claim").ClickAsync();
        await Expect(card).ToContainTextAsync("claimed by designer");
        await card.GetByTestId("agent-task-output").FillAsync("{ verdict: approve }");
        await card.GetByTestId("agent-task-complete").ClickAsync();
        await Expect(card).ToContainTextAsync("The output is not JSON");
        await card.GetByTestId("agent-task-output").FillAsync("""{ "verdict": "approve" }""");
        await designer.ScreenshotAsync("claimed");
        await card.GetByTestId("agent-task-complete").ClickAsync();
        await Expect(card).ToHaveCountAsync(0);

        var task = await fixture.Server.GetAsync($"/api/agent-tasks/{taskId}");
        Assert.Equal("completed", task["status"]!.GetValue<string>());
        var instance = await FinishedAsync(instanceId);
        Assert.Equal("approve", instance["nodes"]!.AsArray().Single(n => n!["nodeId"]!.GetValue<string>() == "report")!["output"]!.GetValue<string>());
    }

    private async Task<string> ReadyTaskAsync(string instanceId)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var tasks = (await fixture.Server.GetAsync("/api/agent-tasks?capability=panel-review")).AsArray();
            if (tasks.FirstOrDefault(t => t!["instanceId"]!.GetValue<string>() == instanceId) is { } task)
            {
                return task["id"]!.GetValue<string>();
            }

            await Task.Delay(100);
        }

        throw new InvalidOperationException($"Instance {instanceId} made no agent task.");
    }

    private async Task<JsonNode> FinishedAsync(string instanceId)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var instance = await fixture.Server.GetAsync($"/api/instances/{instanceId}");
            if (instance["status"]!.GetValue<string>() != "Running")
            {
                Assert.Equal("Succeeded", instance["status"]!.GetValue<string>());
                return instance;
            }

            await Task.Delay(100);
        }

        throw new InvalidOperationException($"Instance {instanceId} did not finish.");
    }
}
