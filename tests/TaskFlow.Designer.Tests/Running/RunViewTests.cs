using TaskFlow.Designer.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace TaskFlow.Designer.Tests.Running;

[Collection(DesignerCollection.Name)]
public sealed class RunViewTests(DesignerFixture fixture)
{
    //   start ──> flaky (sleep; attempt 1 times out, attempt 2 succeeds) ──> pause (delay 1s)
    //     ──> list (transform [1,2,3]) ──> each (foreach, 2 at once) ──> gate (event) ──> done
    [Fact]
    public async Task Timeline_OfARetryADelayAndAForeach_DrawsAttemptsWaitsAndItems_LiveAndClickable()
    {
        await fixture.Server.PostAsync("/api/definitions", """
            {
              "id": "timeline-demo",
              "nodes": [
                { "id": "start", "type": "noop" },
                { "id": "flaky", "type": "sleep", "inputs": { "duration": "{{ attempt == 1 ? '20s' : '10ms' }}" },
                  "timeout": "300ms", "retry": { "maxAttempts": 3, "delay": "100ms" } },
                { "id": "pause", "type": "delay", "inputs": { "duration": "1s" } },
                { "id": "list", "type": "transform", "inputs": { "value": "{{ range(1, 3) }}" } },
                { "id": "each", "type": "foreach", "inputs": { "items": "{{ nodes.list.output }}", "maxParallelism": 2,
                  "body": { "type": "transform", "inputs": { "value": "{{ item * 2 }}" } } } },
                { "id": "gate", "type": "event", "inputs": { "name": "timeline-go", "correlation": "{{ input.key }}" } },
                { "id": "done", "type": "noop" }
              ],
              "edges": [
                { "from": "start", "to": "flaky" }, { "from": "flaky", "to": "pause" }, { "from": "pause", "to": "list" },
                { "from": "list", "to": "each" }, { "from": "each", "to": "gate" }, { "from": "gate", "to": "done" }
              ]
            }
            """);
        await using var designer = await DesignerPage.OpenAsync(fixture, nameof(Timeline_OfARetryADelayAndAForeach_DrawsAttemptsWaitsAndItems_LiveAndClickable));
        var page = designer.Page;
        await page.GetByTestId("open").SelectOptionAsync("timeline-demo");
        await Expect(designer.Nodes).ToHaveCountAsync(7);
        await page.GetByTestId("tab-run").ClickAsync();
        var key = Guid.NewGuid().ToString("N");
        await designer.FillAsync("run-input", $$"""{ "key": "{{key}}" }""");
        await page.GetByTestId("run-start").ClickAsync();

        // Live: the instance is still running, held by the event node, which waits (not runs).
        var gate = page.GetByTestId("timeline-row-gate");
        await Expect(gate).ToHaveAttributeAsync("data-status", "waiting");
        await Expect(gate.Locator("[data-kind='event']")).ToHaveCountAsync(1);
        await Expect(page.GetByTestId("instance-status")).ToHaveTextAsync("Running");

        // The retry: attempt 1 ran and failed (timed out), a backoff, attempt 2 ran and succeeded.
        var flaky = page.GetByTestId("timeline-row-flaky");
        await Expect(flaky.Locator("[data-kind='running'][data-attempt='1'][data-failed='true']")).ToHaveCountAsync(1);
        await Expect(flaky.Locator("[data-kind='backoff'][data-attempt='2']")).ToHaveCountAsync(1);
        await Expect(flaky.Locator("[data-kind='running'][data-attempt='2'][data-failed='false']")).ToHaveCountAsync(1);
        await Expect(flaky).ToHaveAttributeAsync("data-status", "succeeded");
        // The delay waits on a timer; the foreach waits for its items, each item a row of its own.
        await Expect(page.GetByTestId("timeline-row-pause").Locator("[data-kind='timer']")).ToHaveCountAsync(1);
        await Expect(page.GetByTestId("timeline-row-each").Locator("[data-kind='items']")).ToHaveCountAsync(1);
        for (var i = 0; i < 3; i++)
        {
            var item = page.GetByTestId($"timeline-row-each[{i}]");
            await Expect(item).ToHaveAttributeAsync("data-status", "succeeded");
            await Expect(item.Locator("[data-kind='running']")).ToHaveCountAsync(1);
        }

        await designer.ScreenshotAsync("timeline");

        // Clicking a bar selects its node.
        await flaky.Locator("[data-attempt='1'][data-failed='true']").ClickAsync();
        await Expect(page.GetByTestId("node-details")).ToContainTextAsync("flaky");
        await Expect(page.GetByTestId("node-details-attempts")).ToHaveTextAsync("2");
        await Expect(flaky).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("selected"));
        await Expect(designer.Node("flaky")).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("\\bselected\\b"));
        await Expect(designer.Node("pause")).Not.ToHaveClassAsync(new System.Text.RegularExpressions.Regex("\\bselected\\b"));

        // The event arrives: the open bar closes and the instance finishes, without reloading.
        await fixture.Server.PostAsync("/api/events/timeline-go", $$"""{ "correlation": "{{key}}" }""");
        await Expect(page.GetByTestId("instance-status")).ToHaveTextAsync("Succeeded");
        await Expect(gate).ToHaveAttributeAsync("data-status", "succeeded");
        await Expect(page.GetByTestId("timeline-row-done")).ToHaveAttributeAsync("data-status", "succeeded");

        // The journal, filtered to the retried node's failures.
        await page.GetByTestId("run-view-journal").ClickAsync();
        await Expect(page.GetByTestId("journal-row").First).ToBeVisibleAsync();
        await page.GetByTestId("journal-filter-node").FillAsync("flaky");
        await page.GetByTestId("journal-filter-type").SelectOptionAsync("failures");
        var rows = page.GetByTestId("journal-row");
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(rows).ToHaveAttributeAsync("data-type", "NodeRetried");
        await Expect(rows).ToContainTextAsync("Timed out");
        await page.GetByTestId("journal-filter-type").SelectOptionAsync("NodeStarted");
        await Expect(rows).ToHaveCountAsync(2);
        await designer.ScreenshotAsync("journal");
    }

    //   list (transform: 1..1500) ──> each (foreach of 1,500 items)
    [Fact]
    public async Task Timeline_OfThousandsOfRows_RendersOnlyTheRowsInView()
    {
        await fixture.Server.PostAsync("/api/definitions", """
            {
              "id": "timeline-many",
              "nodes": [
                { "id": "list", "type": "transform", "inputs": { "value": "{{ range(1, 1500) }}" } },
                { "id": "each", "type": "foreach", "inputs": { "items": "{{ nodes.list.output }}", "maxParallelism": 100,
                  "body": { "type": "noop" } } }
              ],
              "edges": [ { "from": "list", "to": "each" } ]
            }
            """);
        await using var designer = await DesignerPage.OpenAsync(fixture, nameof(Timeline_OfThousandsOfRows_RendersOnlyTheRowsInView));
        var page = designer.Page;
        await page.GetByTestId("open").SelectOptionAsync("timeline-many");
        await page.GetByTestId("tab-run").ClickAsync();
        await page.GetByTestId("run-start").ClickAsync();
        await Expect(page.GetByTestId("instance-status")).ToHaveTextAsync("Succeeded", new() { Timeout = 120_000 });

        var timeline = page.GetByTestId("timeline");
        await Expect(timeline).ToHaveAttributeAsync("data-rows", "1502");
        var drawn = await page.Locator("[data-testid^='timeline-row-']").CountAsync();
        Assert.InRange(drawn, 5, 60);

        // Scrolled to the end, the last items are drawn instead of the first.
        await page.Locator(".tf-timeline-body").EvaluateAsync("b => b.scrollTop = b.scrollHeight");
        await Expect(page.GetByTestId("timeline-row-each[1499]")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("timeline-row-list")).ToHaveCountAsync(0);
    }
}
