using TaskFlow.Designer.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace TaskFlow.Designer.Tests.Running;

[Collection(DesignerCollection.Name)]
public sealed class ApprovalsAndEventsTests(DesignerFixture fixture)
{
    //                          ┌─ship─> shipped (transform: the form's carrier)
    //   start ──> check (approval)
    //                          └─hold─> held
    [Fact]
    public async Task PendingApproval_DecidedWithItsForm_ResumesTheInstanceByTheChosenPort()
    {
        await fixture.Server.PostAsync("/api/definitions", """
            {
              "id": "approve-shipment",
              "nodes": [
                { "id": "start", "type": "noop", "layout": { "x": 0, "y": 0 } },
                { "id": "check", "type": "approval", "layout": { "x": 260, "y": 0 }, "inputs": {
                    "title": "Ship order {{ input.order }}?",
                    "options": [ "ship", "hold" ],
                    "form": { "type": "object", "properties": { "carrier": { "type": "string", "enum": [ "ups", "dhl" ] } }, "required": [ "carrier" ] } } },
                { "id": "shipped", "type": "transform", "inputs": { "value": "{{ nodes.check.output.form.carrier }}" }, "layout": { "x": 520, "y": -80 } },
                { "id": "held", "type": "noop", "layout": { "x": 520, "y": 80 } }
              ],
              "edges": [
                { "from": "start", "to": "check" },
                { "from": "check", "to": "shipped", "fromPort": "ship" },
                { "from": "check", "to": "held", "fromPort": "hold" }
              ]
            }
            """);
        await using var designer = await DesignerPage.OpenAsync(fixture, nameof(PendingApproval_DecidedWithItsForm_ResumesTheInstanceByTheChosenPort));
        await designer.Page.GetByTestId("open").SelectOptionAsync("approve-shipment");
        await Expect(designer.Nodes).ToHaveCountAsync(4);
        await designer.Page.GetByTestId("tab-run").ClickAsync();
        await designer.FillAsync("run-input", """{ "order": "A-1" }""");
        await designer.Page.GetByTestId("run-start").ClickAsync();

        var card = designer.Page.Locator("[data-testid^='approval-'][data-node='check']");
        await Expect(card).ToContainTextAsync("Ship order A-1?");
        await Expect(designer.Page.GetByTestId("instance-status")).ToHaveTextAsync("Running");
        await card.GetByTestId("approval-form-carrier").SelectOptionAsync("dhl");
        await designer.ScreenshotAsync("pending");
        await card.GetByTestId("approval-decide-ship").ClickAsync();

        await Expect(designer.Page.GetByTestId("instance-status")).ToHaveTextAsync("Succeeded");
        await Expect(designer.Node("shipped")).ToHaveAttributeAsync("data-status", "succeeded");
        await Expect(designer.Node("held")).Not.ToHaveAttributeAsync("data-status", "succeeded");
        await Expect(card).ToHaveCountAsync(0);
        var instanceId = await designer.Page.GetByTestId("instance-id").TextContentAsync();
        var instance = await fixture.Server.GetAsync($"/api/instances/{instanceId}");
        var shipped = instance["nodes"]!.AsArray().Single(n => n!["nodeId"]!.GetValue<string>() == "shipped")!;
        Assert.Equal("dhl", shipped["output"]!.GetValue<string>());
    }

    //   start ──> wait (event payment-received, correlation input.order) ──> after
    [Fact]
    public async Task WaitingEventNode_ShowsHowToResumeIt_AndSendingTheEventResumesIt()
    {
        await fixture.Server.PostAsync("/api/definitions", """
            {
              "id": "wait-for-payment",
              "nodes": [
                { "id": "start", "type": "noop", "layout": { "x": 0, "y": 0 } },
                { "id": "wait", "type": "event", "inputs": { "name": "payment-received", "correlation": "{{ input.order }}" }, "layout": { "x": 260, "y": 0 } },
                { "id": "after", "type": "transform", "inputs": { "value": "{{ nodes.wait.output.amount }}" }, "layout": { "x": 520, "y": 0 } }
              ],
              "edges": [ { "from": "start", "to": "wait" }, { "from": "wait", "to": "after" } ]
            }
            """);
        await using var designer = await DesignerPage.OpenAsync(fixture, nameof(WaitingEventNode_ShowsHowToResumeIt_AndSendingTheEventResumesIt));
        await designer.Page.GetByTestId("open").SelectOptionAsync("wait-for-payment");
        await Expect(designer.Nodes).ToHaveCountAsync(3);
        await designer.Page.GetByTestId("tab-run").ClickAsync();
        await designer.FillAsync("run-input", """{ "order": "B-2" }""");
        await designer.Page.GetByTestId("run-start").ClickAsync();
        await Expect(designer.Node("wait")).ToHaveAttributeAsync("data-status", "waiting");
        await designer.Node("wait").Locator(".tf-node-title").ClickAsync();

        var wait = designer.Page.GetByTestId("event-wait");
        await Expect(wait).ToHaveAttributeAsync("data-event", "payment-received");
        await Expect(wait.GetByTestId("event-wait-correlation")).ToHaveTextAsync("B-2");
        await Expect(wait.GetByTestId("event-wait-curl")).ToContainTextAsync($"{fixture.Server.Address.ToString().TrimEnd('/')}/api/events/payment-received");
        await Expect(wait.GetByTestId("event-wait-curl")).ToContainTextAsync("\"correlation\":\"B-2\"");
        await Expect(wait.GetByTestId("event-wait-resume-url")).ToContainTextAsync("/api/resume/");
        await designer.ScreenshotAsync("waiting");

        await designer.FillAsync("event-payload", """{ "amount": 42 }""");
        await wait.GetByTestId("event-send").ClickAsync();

        await Expect(designer.Page.GetByTestId("instance-status")).ToHaveTextAsync("Succeeded");
        await Expect(designer.Node("after")).ToHaveAttributeAsync("data-status", "succeeded");
        var instanceId = await designer.Page.GetByTestId("instance-id").TextContentAsync();
        var instance = await fixture.Server.GetAsync($"/api/instances/{instanceId}");
        var after = instance["nodes"]!.AsArray().Single(n => n!["nodeId"]!.GetValue<string>() == "after")!;
        Assert.Equal(42, after["output"]!.GetValue<int>());
    }
}
