using TaskFlow.Chaos.Scenarios;
using Xunit.Abstractions;

namespace TaskFlow.Chaos.Tests.Faults;

/// <summary>
/// MCP upstream faults beside a real tier-1 server: a half-written answer, a server that stops
/// answering, lines that are no answer, a notification flood and a 50 MB answer, once each (the bench runs more).
/// </summary>
[Collection(ChaosCollection.Name)]
public sealed class McpUpstreamFaultTests(ITestOutputHelper output)
{
    [Fact]
    public async Task HalfAnsweringStalledFloodingAndOversizedServer_EachFaultEndsCleanly_ServesAgain_AndTheTier1ServerNeverFails()
    {
        var figures = await McpUpstreamFaultScenario.RunAsync(ScenarioSettings.Ci with { Faults = 1 });

        output.WriteLine(figures.ToString());
        Assert.True(figures.Problems.Count == 0, figures.ToString());
        Assert.Equal(5, figures.Faults);
        Assert.Equal(5, figures.RecoveryMs.Count);
        Assert.Equal(0, figures.Lost);

        // The stalled server and the oversized answer each cost the unruly server its process;
        // a half-written answer and lines that are no answer do not.
        Assert.Equal(
            ["0/1", "1/1", "0/1", "0/1", "1/1"],
            new[] { "half_answer", "stall", "garbage", "flood", "huge" }.Select(kind => figures.Notes[$"{kind} process replaced"]));
    }
}
