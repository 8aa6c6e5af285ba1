using TaskFlow.Designer.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace TaskFlow.Designer.Tests.Designing;

[Collection(DesignerCollection.Name)]
public sealed class ConnectionRulesTests(DesignerFixture fixture)
{
    //   noop-1 ──> noop-2, then noop-2 ──> noop-1 (into the start node) and noop-2 ──> noop-2 (itself)
    [Fact]
    public async Task IntoStartNodeOrItself_WhileDragging_IsRefused()
    {
        await using var designer = await DesignerPage.OpenAsync(fixture, nameof(IntoStartNodeOrItself_WhileDragging_IsRefused));
        await designer.DropAsync("noop", 150, 250);
        await designer.DropAsync("noop", 550, 250);
        await designer.ConnectAsync("noop-1", "noop-2");
        await Expect(designer.Edges).ToHaveCountAsync(1);

        await designer.ConnectAsync("noop-2", "noop-1");
        await Expect(designer.Notice).ToContainTextAsync("Connection refused");
        await Expect(designer.Notice).ToContainTextAsync("start node");
        await designer.ScreenshotAsync("refused");

        await designer.ConnectAsync("noop-2", "noop-2");
        await designer.ConnectAsync("noop-1", "noop-2");
        await Expect(designer.Notice).ToContainTextAsync("already connected");

        await Expect(designer.Edges).ToHaveCountAsync(1);
        var edge = designer.Page.Locator(".react-flow__edge").First;
        await Expect(edge).ToHaveAttributeAsync("data-id", "noop-1:done->noop-2");
    }
}
