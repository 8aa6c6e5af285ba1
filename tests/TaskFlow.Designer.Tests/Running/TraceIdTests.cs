using System.Diagnostics;
using TaskFlow.Designer.Tests.Infrastructure;
using TaskFlow.Engine.Diagnostics;
using static Microsoft.Playwright.Assertions;

namespace TaskFlow.Designer.Tests.Running;

[Collection(DesignerCollection.Name)]
public sealed class TraceIdTests(DesignerFixture fixture)
{
    // With tracing on (here: a listener on the engine's spans in the server's process), an instance
    // is a trace, and the run panel shows its trace id and correlation id to look it up by.
    [Fact]
    public async Task TracedRun_ShowsItsTraceIdAndCorrelationId_AsTheServerHasThem()
    {
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == EngineTracing.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        await fixture.Server.PostAsync("/api/definitions", """
            { "id": "traced-run", "nodes": [ { "id": "only", "type": "noop", "layout": { "x": 0, "y": 0 } } ] }
            """);
        var started = await fixture.Server.PostAsync("/api/definitions/traced-run/run", """{ "correlationId": "order-17" }""");
        var instanceId = (string)started["id"]!;
        await using var designer = await DesignerPage.OpenAsync(fixture, nameof(TracedRun_ShowsItsTraceIdAndCorrelationId_AsTheServerHasThem));
        await designer.Page.GetByTestId("open").SelectOptionAsync("traced-run");
        await designer.Page.GetByTestId("tab-run").ClickAsync();
        await designer.Page.GetByTestId($"instance-{instanceId}").ClickAsync();
        await Expect(designer.Page.GetByTestId("instance-id")).ToHaveTextAsync(instanceId);

        var instance = await fixture.Server.GetAsync($"/api/instances/{instanceId}");
        var traceId = (string?)instance["traceId"];
        Assert.Matches("^[0-9a-f]{32}$", traceId);
        await Expect(designer.Page.GetByTestId("instance-trace")).ToHaveTextAsync(traceId!);
        await Expect(designer.Page.GetByTestId("instance-correlation")).ToHaveTextAsync("order-17");
    }
}
