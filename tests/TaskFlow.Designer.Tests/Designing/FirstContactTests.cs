using System.Text.Json;
using TaskFlow.Designer.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace TaskFlow.Designer.Tests.Designing;

[Collection(DesignerCollection.Name)]
public sealed class FirstContactTests(DesignerFixture fixture)
{
    [Fact]
    public async Task EmptyServer_At1280Pixels_OffersTheSamples_AndTheToolbarFitsOneLine()
    {
        // A server of its own: the shared one has definitions from other tests.
        await using var server = DesignerServer.Start();
        await using var designer = await DesignerPage.OpenAsync(fixture.Browser, server, nameof(EmptyServer_At1280Pixels_OffersTheSamples_AndTheToolbarFitsOneLine), width: 1280);

        await Expect(designer.Page.GetByTestId("welcome")).ToBeVisibleAsync();
        await Expect(designer.Page.GetByTestId("sample-parallel-fan-out")).ToContainTextAsync("Parallel fan-out");
        await Expect(designer.Page.GetByTestId("welcome")).ToContainTextAsync("A start node fans out to five transform branches");
        await designer.ScreenshotAsync("welcome");

        // Every toolbar control on one line, none cut off.
        var toolbar = await designer.Page.GetByTestId("toolbar").EvaluateAsync<JsonElement>("""
            t => {
              const boxes = [...t.children].filter(c => c.offsetParent !== null).map(c => c.getBoundingClientRect());
              return { lines: new Set(boxes.map(b => Math.round(b.top + b.height / 2))).size, tops: Math.max(...boxes.map(b => b.top)) - Math.min(...boxes.map(b => b.top)),
                       overflow: t.scrollWidth - t.clientWidth, count: boxes.length };
            }
            """);
        Assert.True(toolbar.GetProperty("count").GetInt32() >= 10, toolbar.ToString());
        Assert.True(toolbar.GetProperty("tops").GetDouble() < 12, $"The toolbar wraps at 1280 px: {toolbar}");
        Assert.True(toolbar.GetProperty("overflow").GetDouble() <= 0, $"The toolbar overflows at 1280 px: {toolbar}");

        // Palette entries: a readable name, the category's icon and the description.
        var http = designer.Page.GetByTestId("palette-http.request");
        await Expect(designer.Page.GetByTestId("palette-name-http.request")).ToHaveTextAsync("HTTP request");
        await Expect(designer.Page.GetByTestId("palette-description-http.request")).ToContainTextAsync("Sends an HTTP request");
        await Expect(http.Locator("svg.tf-category-icon[data-category='Integration']")).ToHaveCountAsync(1);
        await Expect(designer.Page.GetByTestId("palette-name-setVariable")).ToHaveTextAsync("Set variable");
        await Expect(designer.Page.GetByTestId("palette-setVariable").Locator("svg[data-category='Data']")).ToHaveCountAsync(1);

        // Pure types say so (their steps run inside the commit that readied them); others do not.
        await Expect(designer.Page.GetByTestId("palette-pure-setVariable")).ToHaveTextAsync("pure");
        await Expect(designer.Page.GetByTestId("palette-pure-http.request")).ToHaveCountAsync(0);

        // Open a sample: it is drawn, unsaved; saving stores it and the welcome goes away.
        await designer.Page.GetByTestId("sample-parallel-fan-out").ClickAsync();
        var sample = await server.GetAsync("/api/samples/parallel-fan-out");
        await Expect(designer.Nodes).ToHaveCountAsync(sample["nodes"]!.AsArray().Count);
        await Expect(designer.Page.GetByTestId("title")).ToContainTextAsync("•");
        await designer.SaveAsync();
        await Expect(designer.Page.GetByTestId("title")).ToHaveTextAsync("Parallel fan-out · v1");
        await Expect(designer.Page.GetByTestId("welcome")).ToHaveCountAsync(0);
        Assert.NotNull(await server.FindDefinitionAsync("parallel-fan-out"));
    }

    [Fact]
    public async Task InstanceList_FollowsTheOpenDefinition_AndAllShowsEveryDefinitions()
    {
        await fixture.Server.PostAsync("/api/definitions", """{ "id": "first-contact-open", "nodes": [ { "id": "a", "type": "noop" } ], "edges": [] }""");
        await fixture.Server.PostAsync("/api/definitions", """{ "id": "first-contact-other", "nodes": [ { "id": "b", "type": "noop" } ], "edges": [] }""");
        var mine = (await fixture.Server.PostAsync("/api/definitions/first-contact-open/run", "{}"))["id"]!.GetValue<string>();
        var other = (await fixture.Server.PostAsync("/api/definitions/first-contact-other/run", "{}"))["id"]!.GetValue<string>();
        await using var designer = await DesignerPage.OpenAsync(fixture, nameof(InstanceList_FollowsTheOpenDefinition_AndAllShowsEveryDefinitions));
        await designer.Page.GetByTestId("open").SelectOptionAsync("first-contact-open");
        await Expect(designer.Nodes).ToHaveCountAsync(1);
        await designer.Page.GetByTestId("tab-run").ClickAsync();

        await Expect(designer.Page.GetByTestId("instances")).ToHaveAttributeAsync("data-definition", "first-contact-open");
        await Expect(designer.Page.GetByTestId($"instance-{mine}")).ToBeVisibleAsync();
        await Expect(designer.Page.GetByTestId($"instance-{other}")).ToHaveCountAsync(0);

        await designer.Page.GetByTestId("instances-all").CheckAsync();
        await Expect(designer.Page.GetByTestId($"instance-{other}")).ToBeVisibleAsync();
        await Expect(designer.Page.GetByTestId($"instance-{mine}")).ToBeVisibleAsync();
    }
}
