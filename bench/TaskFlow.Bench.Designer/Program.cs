using System.Globalization;
using Microsoft.Playwright;

namespace TaskFlow.Bench.Designer;

// The designer with a large workflow, in Debian's Chromium: time until the graph is drawn and the
// page answers (time to interactive), elkjs auto-layout time, and frame times while panning with
// the mouse, zoomed out to the whole graph and one step zoomed in.
//
//   dotnet run -c Release --project bench/TaskFlow.Bench.Designer -- [--nodes 500] [--runs 5] [--profile FILE]
//
// --profile writes a CPU profile of the first run's load (navigation to interactive) to FILE, to
// open in Chromium's DevTools (Performance tab) or summarise by function.
internal static class DesignerBench
{
    public static async Task Main(string[] args)
    {
        var nodes = Option(args, "--nodes", 500);
        var runs = Option(args, "--runs", 5);

        await using var server = await BenchServer.StartAsync();
        var definition = LargeWorkflow.Create("bench-large", nodes);
        await server.SaveAsync(definition);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
        });

        Console.WriteLine($"{nodes} nodes, {definition["edges"]!.AsArray().Count} edges; {runs} runs");
        var results = new List<PageRun>();
        for (var run = 0; run < runs; run++)
        {
            results.Add(await PageRun.MeasureAsync(browser, $"{server.Url}/?key={BenchServer.Key}&definition=bench-large", nodes, run == 0 ? TextOption(args, "--profile") : null));
        }

        Console.WriteLine($"time to interactive: median {Median(results, r => r.Interactive):0} ms (runs: {string.Join(", ", results.Select(r => r.Interactive.ToString("0", CultureInfo.InvariantCulture)))})");
        Console.WriteLine($"  page loaded (DOMContentLoaded) at {Median(results, r => r.Loaded):0} ms, definition received at {Median(results, r => r.Received):0} ms, then drawn");
        Console.WriteLine($"  main thread busy until then: {Median(results, r => r.Busy):0} ms, of which script {Median(results, r => r.Script):0} ms, style {Median(results, r => r.Style):0} ms, layout {Median(results, r => r.Layout):0} ms");
        Console.WriteLine($"auto-layout (elkjs, click to drawn): median {Median(results, r => r.AutoLayout):0} ms");
        Report("panning, whole graph in view", results.SelectMany(r => r.WholeGraphFrames).ToList());
        Report("panning, zoomed in", results.SelectMany(r => r.ZoomedInFrames).ToList());
    }

    private static void Report(string what, IReadOnlyList<double> frames)
    {
        var sorted = frames.Order().ToArray();
        double At(double q) => sorted[Math.Min(sorted.Length - 1, (int)Math.Floor(q * sorted.Length))];
        Console.WriteLine($"{what}: {sorted.Length} frames, p50 {At(0.5):0.0} ms, p95 {At(0.95):0.0} ms, max {sorted[^1]:0.0} ms, {1000 / sorted.Average():0} fps average");
    }

    private static double Median(List<PageRun> runs, Func<PageRun, double> value)
    {
        var sorted = runs.Select(value).Order().ToArray();
        return sorted[sorted.Length / 2];
    }

    private static string? TextOption(string[] args, string name)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }

    private static int Option(string[] args, string name, int fallback)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
