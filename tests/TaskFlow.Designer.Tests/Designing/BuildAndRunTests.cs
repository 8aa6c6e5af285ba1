using TaskFlow.Designer.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace TaskFlow.Designer.Tests.Designing;

[Collection(DesignerCollection.Name)]
public sealed class BuildAndRunTests(DesignerFixture fixture)
{
    //            ┌──> transform-1 ──┐
    //   noop-1 ──┤                  ├──> join-1 (WaitAllActive)
    //            └──> transform-2 ──┘
    [Fact]
    public async Task ForkJoin_DraggedConnectedSavedAndRun_EveryNodeSucceeds()
    {
        await using var designer = await DesignerPage.OpenAsync(fixture, nameof(ForkJoin_DraggedConnectedSavedAndRun_EveryNodeSucceeds));

        // The key from the printed URL is kept for the tab and taken out of the address bar.
        Assert.DoesNotContain("key=", designer.Page.Url, StringComparison.Ordinal);
        Assert.Equal(DesignerServer.Key, await designer.Page.EvaluateAsync<string>("() => sessionStorage.getItem('taskflow.apiKey')"));

        await designer.FillAsync("definition-id", "designed-fork-join");

        await designer.DropAsync("noop", 120, 260);
        await designer.DropAsync("transform", 420, 120);
        await designer.DropAsync("transform", 420, 400);
        await designer.DropAsync("join", 720, 260);
        await Expect(designer.Nodes).ToHaveCountAsync(4);

        await designer.ConnectAsync("noop-1", "transform-1");
        await designer.ConnectAsync("noop-1", "transform-2");
        await designer.ConnectAsync("transform-1", "join-1");
        await designer.ConnectAsync("transform-2", "join-1");
        await Expect(designer.Edges).ToHaveCountAsync(4);

        await designer.SelectNodeAsync("transform-1");
        await designer.FillAsync("input-value", "\"left\"");
        await designer.SelectNodeAsync("transform-2");
        await designer.FillAsync("input-value", "{ \"side\": \"right\" }");
        await designer.SelectNodeAsync("join-1");
        await designer.Page.GetByTestId("input-mode").SelectOptionAsync("WaitAllActive");
        await Expect(designer.Page.GetByTestId("join-mode-join-1")).ToHaveTextAsync("WaitAllActive");
        await designer.ScreenshotAsync("1-designed");

        await designer.SaveAsync();
        await Expect(designer.Notice).ToContainTextAsync("Saved designed-fork-join as version 1");

        var stored = await fixture.Server.FindDefinitionAsync("designed-fork-join");
        Assert.NotNull(stored);
        var definition = stored["definition"]!;
        Assert.Equal(["join", "noop", "transform", "transform"], definition["nodes"]!.AsArray().Select(n => (string)n!["type"]!).Order());
        Assert.Equal(
            ["noop-1->transform-1", "noop-1->transform-2", "transform-1->join-1", "transform-2->join-1"],
            definition["edges"]!.AsArray().Select(e => $"{e!["from"]}->{e["to"]}").Order());
        var join = definition["nodes"]!.AsArray().Single(n => (string)n!["id"]! == "join-1")!;
        Assert.Equal("WaitAllActive", (string)join["inputs"]!["mode"]!);
        Assert.Equal("left", (string)definition["nodes"]!.AsArray().Single(n => (string)n!["id"]! == "transform-1")!["inputs"]!["value"]!);
        Assert.All(definition["nodes"]!.AsArray(), n => Assert.NotNull(n!["layout"]?["x"]));

        await designer.Page.GetByTestId("tab-run").ClickAsync();
        await designer.Page.GetByTestId("run-start").ClickAsync();
        await Expect(designer.Page.GetByTestId("instance-status")).ToHaveTextAsync("Succeeded");
        foreach (var id in new[] { "noop-1", "transform-1", "transform-2", "join-1" })
        {
            await Expect(designer.Node(id)).ToHaveAttributeAsync("data-status", "succeeded");
        }

        await designer.Node("transform-2").Locator(".tf-node-title").ClickAsync();
        await Expect(designer.Page.GetByTestId("node-details-output")).ToContainTextAsync("right");
        await Expect(designer.Page.GetByTestId("node-details-attempts")).ToHaveTextAsync("1");
        await designer.ScreenshotAsync("2-succeeded");

        var instanceId = await designer.Page.GetByTestId("instance-id").TextContentAsync();
        var instance = await fixture.Server.GetAsync($"/api/instances/{instanceId}");
        Assert.Equal("Succeeded", (string)instance["status"]!);
    }
}
