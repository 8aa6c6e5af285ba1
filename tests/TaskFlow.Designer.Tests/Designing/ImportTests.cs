using TaskFlow.Designer.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace TaskFlow.Designer.Tests.Designing;

[Collection(DesignerCollection.Name)]
public sealed class ImportTests(DesignerFixture fixture)
{
    [Fact]
    public async Task ElsaFile_Imported_IsDrawnWithItsJoinMode_AndSaves()
    {
        await using var designer = await DesignerPage.OpenAsync(fixture, nameof(ElsaFile_Imported_IsDrawnWithItsJoinMode_AndSaves));
        var file = Path.Combine(AppContext.BaseDirectory, "Fixtures", "order-review.elsa.json");

        await designer.Page.GetByTestId("import-file").SetInputFilesAsync(file);

        await Expect(designer.Notice).ToContainTextAsync("Imported the Elsa workflow order-review");
        await Expect(designer.Nodes).ToHaveCountAsync(8);
        await Expect(designer.Page.GetByTestId("join-mode-FlowJoin1")).ToHaveTextAsync("WaitAny");
        await designer.ScreenshotAsync("imported");

        await designer.SaveAsync();
        await Expect(designer.Notice).ToContainTextAsync("Saved order-review as version 1");
        var stored = await fixture.Server.FindDefinitionAsync("order-review");
        Assert.NotNull(stored);
        Assert.Equal(8, stored["definition"]!["nodes"]!.AsArray().Count);
        Assert.All(stored["definition"]!["nodes"]!.AsArray(), n => Assert.NotNull(n!["layout"]?["x"]));
    }
}
