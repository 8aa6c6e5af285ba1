using System.Diagnostics;
using Microsoft.Playwright;

namespace TaskFlow.Bench.Designer;

/// <summary>One load of the designer on the large workflow in a fresh browser context, and what was measured in it (ms).</summary>
internal sealed record PageRun(
    double Interactive, double Loaded, double Received, double Busy, double Script, double Style, double Layout,
    IReadOnlyList<double> WholeGraphFrames, IReadOnlyList<double> ZoomedInFrames, double AutoLayout)
{
    /// <param name="profile">When set, a CPU profile of the page from navigation to interactive is written there (Chrome DevTools' .cpuprofile).</param>
    public static async Task<PageRun> MeasureAsync(IBrowser browser, string url, int nodes, string? profile = null)
    {
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1500, Height = 900 } });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(120_000);
        var cdp = await context.NewCDPSessionAsync(page);
        await cdp.SendAsync("Performance.enable");
        if (profile is not null)
        {
            await cdp.SendAsync("Profiler.enable");
            await cdp.SendAsync("Profiler.setSamplingInterval", new Dictionary<string, object> { ["interval"] = 200 });
            await cdp.SendAsync("Profiler.start");
        }

        // Time to interactive: from navigation start until the graph is on the canvas and the page
        // has painted it and runs a task again.
        await page.GotoAsync(url);
        await page.WaitForSelectorAsync($"[data-testid='designer'][data-nodes='{nodes}'] .react-flow__node");
        var interactive = await page.EvaluateAsync<double>("() => new Promise(r => requestAnimationFrame(() => setTimeout(() => r(performance.now()))))");
        if (profile is not null)
        {
            var recorded = await cdp.SendAsync("Profiler.stop");
            await File.WriteAllTextAsync(profile, recorded!.Value.GetProperty("profile").GetRawText());
        }
        var phases = await page.EvaluateAsync<double[]>("""
            () => {
              const navigation = performance.getEntriesByType('navigation')[0];
              const definition = performance.getEntriesByType('resource').find(r => r.name.includes('/api/definitions/bench-large'));
              return [navigation.domContentLoadedEventEnd, definition ? definition.responseEnd : -1];
            }
            """);

        // Main-thread time by kind, from Chromium's own counters since the page started.
        var metrics = (await cdp.SendAsync("Performance.getMetrics"))!.Value.GetProperty("metrics").EnumerateArray()
            .ToDictionary(m => m.GetProperty("name").GetString()!, m => m.GetProperty("value").GetDouble() * 1000);

        var wholeGraph = await PanAsync(page);
        await page.Locator(".react-flow__controls-zoomin").ClickAsync();
        await page.EvaluateAsync("() => new Promise(r => setTimeout(r, 300))");
        var zoomedIn = await PanAsync(page);

        // Auto-layout commits one undo step when the laid-out graph is drawn.
        var watch = Stopwatch.StartNew();
        await page.GetByTestId("layout").ClickAsync();
        await page.WaitForFunctionAsync("() => !document.querySelector('[data-testid=undo]').disabled");
        var autoLayout = watch.Elapsed.TotalMilliseconds;

        return new PageRun(
            interactive, phases[0], phases[1], metrics["TaskDuration"], metrics["ScriptDuration"], metrics["RecalcStyleDuration"], metrics["LayoutDuration"],
            wholeGraph, zoomedIn, autoLayout);
    }

    // Drags the empty pane with the mouse (60 moves) while the page records the time between
    // animation frames; returns those frame times.
    private static async Task<IReadOnlyList<double>> PanAsync(IPage page)
    {
        var pane = await page.Locator(".react-flow__pane").BoundingBoxAsync() ?? throw new InvalidOperationException("No pane.");
        await page.EvaluateAsync("""
            () => {
              window.__frames = [];
              window.__recording = true;
              let last = performance.now();
              const tick = (now) => { window.__frames.push(now - last); last = now; if (window.__recording) requestAnimationFrame(tick); };
              requestAnimationFrame(tick);
            }
            """);
        var x = pane.X + pane.Width / 2;
        var y = pane.Y + pane.Height - 40;
        await page.Mouse.MoveAsync(x, y);
        await page.Mouse.DownAsync();
        for (var step = 1; step <= 60; step++)
        {
            await page.Mouse.MoveAsync((float)(x + 300 * Math.Sin(step / 60.0 * Math.PI * 2)), y - step * 2);
        }

        await page.Mouse.UpAsync();
        return await page.EvaluateAsync<double[]>("() => { window.__recording = false; return window.__frames.slice(1); }");
    }
}
