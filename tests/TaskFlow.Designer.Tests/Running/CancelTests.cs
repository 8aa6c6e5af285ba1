using TaskFlow.Designer.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace TaskFlow.Designer.Tests.Running;

[Collection(DesignerCollection.Name)]
public sealed class CancelTests(DesignerFixture fixture)
{
    //   start ──> wait (delay 10 minutes)
    [Fact]
    public async Task RunningInstance_Cancelled_ShowsCancelled_AndTheServerAgrees()
    {
        await fixture.Server.PostAsync("/api/definitions", """
            {
              "id": "waits-long",
              "nodes": [
                { "id": "start", "type": "noop", "layout": { "x": 0, "y": 0 } },
                { "id": "wait", "type": "delay", "inputs": { "duration": "10m" }, "layout": { "x": 260, "y": 0 } }
              ],
              "edges": [ { "from": "start", "to": "wait" } ]
            }
            """);
        await using var designer = await DesignerPage.OpenAsync(fixture, nameof(RunningInstance_Cancelled_ShowsCancelled_AndTheServerAgrees));
        await designer.Page.GetByTestId("open").SelectOptionAsync("waits-long");
        await Expect(designer.Nodes).ToHaveCountAsync(2);
        await designer.Page.GetByTestId("tab-run").ClickAsync();
        await designer.Page.GetByTestId("run-start").ClickAsync();
        await Expect(designer.Node("start")).ToHaveAttributeAsync("data-status", "succeeded");
        await Expect(designer.Node("wait")).ToHaveAttributeAsync("data-status", "waiting");

        await designer.Page.GetByTestId("instance-cancel").ClickAsync();

        await Expect(designer.Page.GetByTestId("instance-status")).ToHaveTextAsync("Cancelled");
        await Expect(designer.Node("wait")).ToHaveAttributeAsync("data-status", "cancelled");
        var instanceId = await designer.Page.GetByTestId("instance-id").TextContentAsync();
        var instance = await fixture.Server.GetAsync($"/api/instances/{instanceId}");
        Assert.Equal("Cancelled", (string)instance["status"]!);
    }
}
