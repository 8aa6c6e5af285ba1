using TaskFlow.Chaos.Scenarios;
using Xunit.Abstractions;

namespace TaskFlow.Chaos.Tests.Faults;

/// <summary>
/// A server killed while HTTP-triggered calls wait on it and clients follow instances live over
/// SSE: every instance finishes on the other server, each node once, and every event stream picked
/// up again there reads the rest of its journal (the bench kills more often).
/// </summary>
[Collection(ChaosCollection.Name)]
public sealed class ServerKillTests(ITestOutputHelper output)
{
    [Fact]
    public async Task ServerKilledUnderHttpCallersAndEventStreams_EveryInstanceFinishesOnTheOther_AndEveryStreamReadsOnToItsEnd()
    {
        var figures = await ServerKillScenario.RunAsync(ServerKillSettings.Ci, output.WriteLine);

        output.WriteLine(figures.ToString());
        Assert.True(figures.Passed, figures.ToString());
        Assert.Equal(1, figures.Faults);
        Assert.Single(figures.RecoveryMs);

        // The kill came while calls were in flight: at least one of them was cut.
        Assert.NotEqual("0", figures.Notes["calls cut by the kill"]);

        // The streams were read on the killed server before it died, and on the other after.
        Assert.NotEqual("0", figures.Notes["stream events before the kill"]);
        Assert.NotEqual("0", figures.Notes["stream events after"]);
    }
}
