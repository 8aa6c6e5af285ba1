using TaskFlow.Designer.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace TaskFlow.Designer.Tests.Designing;

[Collection(DesignerCollection.Name)]
public sealed class EditingTests(DesignerFixture fixture)
{
    //   check ──[amount > 100]──> big
    //        └─────────────────> small
    [Fact]
    public async Task JsonView_EditedWithAConditionalEdge_DrawsItsLabel_AndSavesIt()
    {
        await using var designer = await DesignerPage.OpenAsync(fixture, nameof(JsonView_EditedWithAConditionalEdge_DrawsItsLabel_AndSavesIt));
        await designer.Page.GetByTestId("tab-json").ClickAsync();
        await designer.Page.GetByTestId("json-text").FillAsync("""
            {
              "id": "edited-as-json",
              "nodes": [
                { "id": "check", "type": "noop" },
                { "id": "big", "type": "log", "inputs": { "message": "big" } },
                { "id": "small", "type": "log", "inputs": { "message": "small" } }
              ],
              "edges": [
                { "from": "check", "to": "big", "condition": "input.amount > 100", "label": "amount > 100" },
                { "from": "check", "to": "small" }
              ]
            }
            """);
        await designer.Page.GetByTestId("json-apply").ClickAsync();

        await Expect(designer.Nodes).ToHaveCountAsync(3);
        await Expect(designer.Page.GetByTestId("edge-label-check:done->big")).ToHaveTextAsync("amount > 100");
        await designer.ScreenshotAsync("conditional");
        await designer.SaveAsync();
        await Expect(designer.Notice).ToContainTextAsync("Saved edited-as-json as version 1");

        var stored = await fixture.Server.FindDefinitionAsync("edited-as-json");
        var edge = stored!["definition"]!["edges"]!.AsArray().Single(e => (string)e!["to"]! == "big")!;
        Assert.Equal("input.amount > 100", (string)edge["condition"]!);
        Assert.Equal("amount > 100", (string)edge["label"]!);
    }

    [Fact]
    public async Task Keyboard_DeleteUndoRedoCopyPaste_ChangeTheGraph()
    {
        await using var designer = await DesignerPage.OpenAsync(fixture, nameof(Keyboard_DeleteUndoRedoCopyPaste_ChangeTheGraph));
        await designer.DropAsync("noop", 150, 250);
        await designer.DropAsync("log", 500, 250);
        await designer.ConnectAsync("noop-1", "log-1");
        await Expect(designer.Edges).ToHaveCountAsync(1);

        await designer.SelectNodeAsync("log-1");
        await designer.Page.Keyboard.PressAsync("Delete");
        await Expect(designer.Nodes).ToHaveCountAsync(1);
        await Expect(designer.Edges).ToHaveCountAsync(0);

        await designer.Page.Keyboard.PressAsync("Control+z");
        await Expect(designer.Nodes).ToHaveCountAsync(2);
        await Expect(designer.Edges).ToHaveCountAsync(1);

        await designer.Page.Keyboard.PressAsync("Control+Shift+z");
        await Expect(designer.Nodes).ToHaveCountAsync(1);
        await designer.Page.Keyboard.PressAsync("Control+z");
        await Expect(designer.Node("log-1")).ToBeVisibleAsync();

        await designer.SelectNodeAsync("log-1");
        await designer.Page.Keyboard.PressAsync("Control+c");
        await designer.Page.Keyboard.PressAsync("Control+v");
        await Expect(designer.Nodes).ToHaveCountAsync(3);
        await Expect(designer.Node("log-2")).ToBeVisibleAsync();
    }
}
