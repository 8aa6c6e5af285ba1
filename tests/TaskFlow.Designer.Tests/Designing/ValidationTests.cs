using TaskFlow.Designer.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace TaskFlow.Designer.Tests.Designing;

[Collection(DesignerCollection.Name)]
public sealed class ValidationTests(DesignerFixture fixture)
{
    //   noop-1 ──> fail-1 (no message: a required input is missing)
    [Fact]
    public async Task MissingRequiredInput_OnSave_ServerProblemShowsOnItsNode_NothingStored()
    {
        await using var designer = await DesignerPage.OpenAsync(fixture, nameof(MissingRequiredInput_OnSave_ServerProblemShowsOnItsNode_NothingStored));
        await designer.FillAsync("definition-id", "invalid-by-design");
        await designer.DropAsync("noop", 150, 250);
        await designer.DropAsync("fail", 500, 250);
        await designer.ConnectAsync("noop-1", "fail-1");

        // The form flags the missing input at once, before the server is asked.
        await designer.SelectNodeAsync("fail-1");
        await Expect(designer.Page.GetByTestId("input-message-error")).ToContainTextAsync("required");

        await designer.SaveAsync();

        await Expect(designer.Page.GetByTestId("node-problems-fail-1")).ToContainTextAsync("message");
        await Expect(designer.Node("fail-1")).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("has-problems"));
        await Expect(designer.Page.GetByTestId("node-problems-noop-1")).ToHaveCountAsync(0);
        await Expect(designer.Notice).ToContainTextAsync("Not saved");
        await designer.ScreenshotAsync("problem-on-node");
        Assert.Null(await fixture.Server.FindDefinitionAsync("invalid-by-design"));
    }
}
