using System.Text.Json.Nodes;
using TaskFlow.Designer.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace TaskFlow.Designer.Tests.Designing;

[Collection(DesignerCollection.Name)]
public sealed class VersionsTests(DesignerFixture fixture)
{
    //   v1: noop-1              v2: noop-1 ──> log-1
    [Fact]
    public async Task SavedTwice_VersionListOpensVersion1_AndExportDownloadsWhatIsShown()
    {
        await using var designer = await DesignerPage.OpenAsync(fixture, nameof(SavedTwice_VersionListOpensVersion1_AndExportDownloadsWhatIsShown));
        await designer.FillAsync("definition-id", "two-versions");
        await designer.DropAsync("noop", 150, 250);
        await designer.SaveAsync();
        await Expect(designer.Notice).ToContainTextAsync("Saved two-versions as version 1");
        await designer.DropAsync("log", 500, 250);
        await designer.SelectNodeAsync("log-1");
        await designer.FillAsync("input-message", "second");
        await designer.ConnectAsync("noop-1", "log-1");
        await designer.SaveAsync();
        await Expect(designer.Notice).ToContainTextAsync("Saved two-versions as version 2");
        await Expect(designer.Page.GetByTestId("versions").Locator("option")).ToHaveCountAsync(2);

        await designer.Page.GetByTestId("versions").SelectOptionAsync("1");

        await Expect(designer.Notice).ToContainTextAsync("Opened two-versions v1");
        await Expect(designer.Nodes).ToHaveCountAsync(1);
        var download = await designer.Page.RunAndWaitForDownloadAsync(() => designer.Page.GetByTestId("export").ClickAsync());
        Assert.Equal("two-versions.json", download.SuggestedFilename);
        var exported = JsonNode.Parse(await File.ReadAllTextAsync(await download.PathAsync()))!;
        Assert.Equal("two-versions", (string)exported["id"]!);
        Assert.Equal(["noop-1"], exported["nodes"]!.AsArray().Select(n => (string)n!["id"]!));
        var versions = await fixture.Server.GetAsync("/api/definitions/two-versions/versions");
        Assert.Equal(2, versions.AsArray().Count);
    }
}
