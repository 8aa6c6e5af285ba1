using TaskFlow.Designer.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace TaskFlow.Designer.Tests.Designing;

[Collection(DesignerCollection.Name)]
public sealed class ConnectionRulesTests(DesignerFixture fixture)
{
    //   noop-1 ──> noop-2, then noop-2 ──> noop-1 (back: a loop edge) and noop-1 ──> noop-2 again (refused)
    [Fact]
    public async Task BackConnection_BecomesALoopEdge_AndADuplicate_IsRefused()
    {
        await using var designer = await DesignerPage.OpenAsync(fixture, nameof(BackConnection_BecomesALoopEdge_AndADuplicate_IsRefused));
        await designer.DropAsync("noop", 150, 250);
        await designer.DropAsync("noop", 550, 250);
        await designer.ConnectAsync("noop-1", "noop-2");
        await Expect(designer.Edges).ToHaveCountAsync(1);

        await designer.ConnectAsync("noop-2", "noop-1");
        await Expect(designer.Edges).ToHaveCountAsync(2);
        var loop = designer.Page.Locator(".react-flow__edge[data-id='noop-2:done->noop-1']");
        await Expect(loop.Locator("path.tf-edge.loop")).ToHaveCountAsync(1);
        await Expect(designer.Page.GetByTestId("edge-label-noop-2:done->noop-1")).ToHaveTextAsync("↺");
        await designer.ScreenshotAsync("loop-edge");

        await designer.ConnectAsync("noop-1", "noop-2");
        await Expect(designer.Notice).ToContainTextAsync("Connection refused");
        await Expect(designer.Notice).ToContainTextAsync("already connected");
        await Expect(designer.Edges).ToHaveCountAsync(2);
    }
}
