using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace TaskFlow.Designer.Tests.Infrastructure;

/// <summary>The designer in a fresh browser context, driven as a user would: real mouse drags and clicks.</summary>
public sealed class DesignerPage : IAsyncDisposable
{
    private readonly IBrowserContext _context;
    private readonly string _testName;

    private DesignerPage(IBrowserContext context, IPage page, string testName)
    {
        _context = context;
        Page = page;
        _testName = testName;
    }

    public IPage Page { get; }

    public ILocator Canvas => Page.GetByTestId("canvas");

    public ILocator Node(string id) => Page.GetByTestId($"node-{id}");

    /// <summary>Every node on the canvas (React Flow renders them all at these sizes).</summary>
    public ILocator Nodes => Page.Locator("[data-testid^='node-'][data-type]");

    public ILocator Edges => Page.Locator(".react-flow__edge");

    public ILocator Notice => Page.GetByTestId("notice");

    /// <summary>Opens the URL the server prints (with ?key=) and waits for the activity catalog.</summary>
    public static Task<DesignerPage> OpenAsync(DesignerFixture fixture, string testName) => OpenAsync(fixture.Browser, fixture.Server, testName);

    /// <summary>Opens the designer of <paramref name="server"/> in a window <paramref name="width"/> pixels wide.</summary>
    public static async Task<DesignerPage> OpenAsync(IBrowser browser, DesignerServer server, string testName, int width = 1500, string? key = null)
    {
        SetDefaultExpectTimeout(30_000);
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = 900 }, AcceptDownloads = true });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(30_000);
        await page.GotoAsync(key is null ? server.DesignerUrl : server.DesignerUrlFor(key));
        await Expect(page.GetByTestId("designer")).ToHaveAttributeAsync("data-ready", "true");
        return new DesignerPage(context, page, testName);
    }

    /// <summary>Drags an activity from the palette onto the canvas at (x, y) from the canvas's top left, with the mouse.</summary>
    public async Task DropAsync(string activityType, int x, int y)
    {
        // The palette scrolls: bring the entry into view first, as a person would.
        await Page.GetByTestId($"palette-{activityType}").ScrollIntoViewIfNeededAsync();
        var item = await Box(Page.GetByTestId($"palette-{activityType}"));
        var canvas = await Box(Canvas);
        await Page.Mouse.MoveAsync(item.X + item.Width / 2, item.Y + item.Height / 2);
        await Page.Mouse.DownAsync();
        await Page.Mouse.MoveAsync(canvas.X + x, canvas.Y + y, new MouseMoveOptions { Steps = 12 });
        await Page.Mouse.UpAsync();
    }

    /// <summary>Drags from a node's outcome port to another node's inbound port, with the mouse.</summary>
    public async Task ConnectAsync(string from, string to, string port = "done")
    {
        var source = await Box(Page.GetByTestId($"handle-out-{from}-{port}"));
        var target = await Box(Page.GetByTestId($"handle-in-{to}"));
        await Page.Mouse.MoveAsync(source.X + source.Width / 2, source.Y + source.Height / 2);
        await Page.Mouse.DownAsync();
        await Page.Mouse.MoveAsync(target.X + target.Width / 2, target.Y + target.Height / 2, new MouseMoveOptions { Steps = 15 });
        await Page.Mouse.UpAsync();
    }

    public async Task SelectNodeAsync(string id)
    {
        await Node(id).Locator(".tf-node-type").ClickAsync();
        await Expect(Page.GetByTestId("node-properties")).ToContainTextAsync(id);
    }

    /// <summary>Types into a field of the properties panel and leaves it, which commits the edit.</summary>
    public async Task FillAsync(string testId, string text)
    {
        var field = Page.GetByTestId(testId);
        await field.FillAsync(text);
        await field.BlurAsync();
    }

    /// <summary>Clicks on empty canvas, so nothing is selected and the panel shows the workflow.</summary>
    public async Task SelectNothingAsync()
    {
        var canvas = await Box(Canvas);
        await Page.Mouse.ClickAsync(canvas.X + canvas.Width - 260, canvas.Y + 20);
        await Expect(Page.GetByTestId("definition-properties")).ToBeVisibleAsync();
    }

    public async Task SaveAsync() => await Page.GetByTestId("save").ClickAsync();

    /// <summary>Writes a screenshot under artifacts/test-results/designer-screenshots/.</summary>
    public async Task ScreenshotAsync(string step)
    {
        Directory.CreateDirectory(Artifacts.Screenshots);
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Artifacts.Screenshots, $"{_testName}-{step}.png") });
    }

    private static async Task<LocatorBoundingBoxResult> Box(ILocator locator)
    {
        await locator.WaitForAsync();
        return await locator.BoundingBoxAsync() ?? throw new InvalidOperationException($"{locator} has no box.");
    }

    public async ValueTask DisposeAsync()
    {
        await _context.CloseAsync();
    }
}
