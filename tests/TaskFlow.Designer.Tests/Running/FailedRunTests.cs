using TaskFlow.Designer.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace TaskFlow.Designer.Tests.Running;

[Collection(DesignerCollection.Name)]
public sealed class FailedRunTests(DesignerFixture fixture)
{
    //   start ──> broken (fail) ──> after
    [Fact]
    public async Task FailingNode_Run_ShowsFailedSkippedAndTheError_AndTheFailedFilterListsIt()
    {
        await fixture.Server.PostAsync("/api/definitions", """
            {
              "id": "fails-in-the-middle",
              "nodes": [
                { "id": "start", "type": "noop", "layout": { "x": 0, "y": 0 } },
                { "id": "broken", "type": "fail", "inputs": { "message": "The disk is full." }, "layout": { "x": 260, "y": 0 } },
                { "id": "after", "type": "log", "inputs": { "message": "never" }, "layout": { "x": 520, "y": 0 } }
              ],
              "edges": [ { "from": "start", "to": "broken" }, { "from": "broken", "to": "after" } ]
            }
            """);
        await using var designer = await DesignerPage.OpenAsync(fixture, nameof(FailingNode_Run_ShowsFailedSkippedAndTheError_AndTheFailedFilterListsIt));
        await designer.Page.GetByTestId("open").SelectOptionAsync("fails-in-the-middle");
        await Expect(designer.Nodes).ToHaveCountAsync(3);

        await designer.Page.GetByTestId("tab-run").ClickAsync();
        await designer.Page.GetByTestId("run-start").ClickAsync();

        await Expect(designer.Page.GetByTestId("instance-status")).ToHaveTextAsync("Failed");
        await Expect(designer.Node("start")).ToHaveAttributeAsync("data-status", "succeeded");
        await Expect(designer.Node("broken")).ToHaveAttributeAsync("data-status", "failed");
        await Expect(designer.Node("after")).Not.ToHaveAttributeAsync("data-status", "succeeded");
        await designer.Node("broken").Locator(".tf-node-title").ClickAsync();
        await Expect(designer.Page.GetByTestId("node-details-error")).ToContainTextAsync("The disk is full.");
        await Expect(designer.Page.GetByTestId("node-retry")).ToBeVisibleAsync();
        await designer.ScreenshotAsync("failed");

        var instanceId = await designer.Page.GetByTestId("instance-id").TextContentAsync();
        await designer.Page.GetByTestId("instances-filter").SelectOptionAsync("Failed");
        await Expect(designer.Page.GetByTestId($"instance-{instanceId}")).ToHaveAttributeAsync("data-status", "Failed");
        await designer.Page.GetByTestId("instances-filter").SelectOptionAsync("Succeeded");
        await Expect(designer.Page.GetByTestId($"instance-{instanceId}")).ToHaveCountAsync(0);
    }
}
