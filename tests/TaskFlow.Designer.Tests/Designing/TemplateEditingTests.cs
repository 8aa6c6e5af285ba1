using Microsoft.Playwright;
using TaskFlow.Designer.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace TaskFlow.Designer.Tests.Designing;

[Collection(DesignerCollection.Name)]
public sealed class TemplateEditingTests(DesignerFixture fixture)
{
    //   sum (transform { total, lines: [ { sku } ] }) ──> report (log)
    [Fact]
    public async Task TemplateField_AfterARun_CompletesANodesOutputFields_AndUnderlinesAnUnknownNode()
    {
        await fixture.Server.PostAsync("/api/definitions", """
            {
              "id": "complete-outputs",
              "nodes": [
                { "id": "sum", "type": "transform", "inputs": { "value": { "total": 3, "lines": [ { "sku": "a-1" } ] } }, "layout": { "x": 0, "y": 0 } },
                { "id": "report", "type": "log", "inputs": { "message": "start" }, "layout": { "x": 260, "y": 0 } }
              ],
              "edges": [ { "from": "sum", "to": "report" } ]
            }
            """);
        await using var designer = await DesignerPage.OpenAsync(fixture, nameof(TemplateField_AfterARun_CompletesANodesOutputFields_AndUnderlinesAnUnknownNode));
        var page = designer.Page;
        await page.GetByTestId("open").SelectOptionAsync("complete-outputs");
        await Expect(designer.Nodes).ToHaveCountAsync(2);
        await page.GetByTestId("tab-run").ClickAsync();
        await page.GetByTestId("run-start").ClickAsync();
        await Expect(page.GetByTestId("instance-status")).ToHaveTextAsync("Succeeded");
        await page.GetByTestId("run-close").ClickAsync();
        await page.GetByTestId("tab-properties").ClickAsync();
        await designer.SelectNodeAsync("report");

        // The message field is a code editor. A node the workflow does not have is underlined and
        // named under the field as it is typed.
        var message = page.GetByTestId("input-message");
        await Expect(message).ToHaveAttributeAsync("contenteditable", "true");
        await message.ClickAsync();
        await page.Keyboard.PressAsync("Control+A");
        await page.Keyboard.TypeAsync("{{ nodes.nope.output }}");
        await Expect(page.GetByTestId("input-message-error")).ToHaveTextAsync("There is no node 'nope' in this workflow.");
        await Expect(page.Locator(".cm-lintRange-error")).ToHaveCountAsync(1);

        // Typing a path inside {{ }} offers what can follow: node ids, then the fields of the run's output.
        await page.Keyboard.PressAsync("Control+A");
        await page.Keyboard.TypeAsync("Total {{ nodes.");
        var completion = page.Locator(".cm-tooltip-autocomplete");
        await Expect(completion).ToContainTextAsync("sum");
        await Expect(completion).ToContainTextAsync("report");
        await page.Keyboard.TypeAsync("sum.output.");
        await Expect(completion.Locator(".cm-completionLabel")).ToHaveTextAsync(["lines", "total"]);
        await designer.ScreenshotAsync("completion");
        await page.Keyboard.TypeAsync("to");
        await page.Keyboard.PressAsync("Enter");
        await page.Keyboard.TypeAsync(" }}");
        await message.BlurAsync();
        await Expect(message).ToHaveTextAsync("Total {{ nodes.sum.output.total }}");
        await Expect(page.GetByTestId("input-message-error")).ToHaveCountAsync(0);

        // What was committed is what is saved.
        await designer.SaveAsync();
        await Expect(page.GetByTestId("title")).ToContainTextAsync("v2");
        var stored = await fixture.Server.FindDefinitionAsync("complete-outputs");
        var report = stored!["definition"]!["nodes"]!.AsArray().Single(n => n!["id"]!.GetValue<string>() == "report")!;
        Assert.Equal("Total {{ nodes.sum.output.total }}", report["inputs"]!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task JsonTab_IsACodeEditor_ThatNamesWhereTheJsonBreaks()
    {
        await using var designer = await DesignerPage.OpenAsync(fixture, nameof(JsonTab_IsACodeEditor_ThatNamesWhereTheJsonBreaks));
        await designer.Page.GetByTestId("tab-json").ClickAsync();
        var json = designer.Page.GetByTestId("json-text");
        await Expect(json).ToHaveAttributeAsync("contenteditable", "true");
        await Expect(designer.Page.Locator(".tf-json .cm-editor")).ToBeVisibleAsync();

        await json.FillAsync("""{ "id": "broken", "nodes": [ }""");

        await Expect(designer.Page.GetByTestId("json-error")).ToContainTextAsync("Not valid JSON");
        await Expect(designer.Page.Locator(".tf-json .cm-lintRange-error")).ToHaveCountAsync(1);
    }

    //   noop-1 ──> fail-1 (no message: a required input is missing)
    [Fact]
    public async Task JsonTab_CompletesFromTheSchemaAndTheCatalog_AndUnderlinesTheServersProblemWhereItPoints()
    {
        await using var designer = await DesignerPage.OpenAsync(fixture, nameof(JsonTab_CompletesFromTheSchemaAndTheCatalog_AndUnderlinesTheServersProblemWhereItPoints));
        var page = designer.Page;
        await designer.FillAsync("definition-id", "json-help");
        await designer.DropAsync("noop", 150, 250);
        await designer.DropAsync("fail", 500, 250);
        await designer.ConnectAsync("noop-1", "fail-1");
        await designer.SaveAsync();
        await Expect(page.GetByTestId("node-problems-fail-1")).ToContainTextAsync("message");

        // The server's problem about fail-1 is underlined at that node's id in the JSON.
        await page.GetByTestId("tab-json").ClickAsync();
        var json = page.GetByTestId("json-text");
        await Expect(json).ToHaveAttributeAsync("contenteditable", "true");
        var underlined = page.Locator(".tf-json .cm-lintRange-error");
        await Expect(underlined).ToHaveCountAsync(1);
        await Expect(underlined).ToHaveTextAsync("\"id\": \"fail-1\"");

        // A node's members come from the definition schema, its type from the catalog, its inputs from its activity.
        await json.FillAsync("""{ "id": "json-help", "nodes": [ { "id": "a", """);
        await page.Keyboard.PressAsync("End");
        await page.Keyboard.TypeAsync("\"ti");
        var completion = page.Locator(".cm-tooltip-autocomplete");
        await Expect(completion.Locator(".cm-completionLabel")).ToContainTextAsync(["tier", "timeout"]);
        await CloseCompletionAsync(page, completion);
        await FillJsonAsync(json, """{ "id": "json-help", "nodes": [ { "id": "a", "type": "fa""");
        await page.Keyboard.PressAsync("End");
        await page.Keyboard.TypeAsync("i");
        await Expect(completion).ToContainTextAsync("fail");
        await CloseCompletionAsync(page, completion);
        await FillJsonAsync(json, """{ "id": "json-help", "nodes": [ { "id": "a", "type": "fail", "inputs": { """);
        await page.Keyboard.PressAsync("End");
        await page.Keyboard.TypeAsync("\"m");
        await Expect(completion.Locator(".cm-completionLabel")).ToHaveTextAsync(["message"]);

        // CodeMirror ignores keys for its interactionDelay (75 ms) after the list opens, so that a
        // fast typist's Enter is not taken as a choice; an Enter sooner than that is a new line.
        await page.WaitForTimeoutAsync(300);
        await page.Keyboard.PressAsync("Enter");
        await Expect(json).ToContainTextAsync("\"inputs\": { \"message\": ");
        await designer.ScreenshotAsync("json-completion");
    }

    // Each step starts from a closed list and the text it filled in, so that a list still open
    // from the step before (on a loaded machine) is not what the next keys complete.
    private static async Task CloseCompletionAsync(IPage page, ILocator completion)
    {
        await page.Keyboard.PressAsync("Escape");
        await Expect(completion).ToHaveCountAsync(0);
    }

    private static async Task FillJsonAsync(ILocator json, string text)
    {
        await json.FillAsync(text);
        await Expect(json).ToContainTextAsync(text.TrimEnd());
    }
}
