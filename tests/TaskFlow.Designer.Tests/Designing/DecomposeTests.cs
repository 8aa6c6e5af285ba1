using TaskFlow.Designer.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace TaskFlow.Designer.Tests.Designing;

/// <summary>Needs the server's POST /api/decompose.</summary>
[Collection(DesignerCollection.Name)]
public sealed class DecomposeTests(DesignerFixture fixture)
{
    [Fact]
    public async Task Task_DecomposedInParallel_IsDrawnAndSavedAsAWorkflow()
    {
        await using var designer = await DesignerPage.OpenAsync(fixture, nameof(Task_DecomposedInParallel_IsDrawnAndSavedAsAWorkflow));
        await designer.Page.GetByTestId("tab-decompose").ClickAsync();
        await designer.FillAsync("decompose-id", "release-notes");
        await designer.FillAsync("decompose-description", "Write the release notes:\n- collect merged changes\n- group them by area\n- draft the summary");
        await designer.Page.GetByTestId("decompose-strategy").SelectOptionAsync("parallel");

        await designer.Page.GetByTestId("decompose-generate").ClickAsync();

        await Expect(designer.Page.Locator("[data-testid='decompose-result'], [data-testid='decompose-problems']")).ToBeVisibleAsync();
        var problems = designer.Page.GetByTestId("decompose-problems");
        Assert.True(await problems.CountAsync() == 0, $"The server refused the decomposition: {(await problems.CountAsync() > 0 ? await problems.TextContentAsync() : "")}");
        await Expect(designer.Page.GetByTestId("decompose-strategy-used")).ToHaveTextAsync("parallel");
        var root = await designer.Page.Locator("[data-testid='decompose-result'] code").TextContentAsync();
        Assert.False(string.IsNullOrEmpty(root));
        var drawn = await designer.Nodes.CountAsync();
        Assert.True(drawn >= 3, $"{drawn} nodes drawn");
        await designer.ScreenshotAsync("generated");

        await designer.SaveAsync();
        await Expect(designer.Notice).ToContainTextAsync($"Saved {root} as version 1");
        var stored = await fixture.Server.FindDefinitionAsync(root!);
        Assert.NotNull(stored);
        Assert.Equal(drawn, stored["definition"]!["nodes"]!.AsArray().Count);
    }
}
