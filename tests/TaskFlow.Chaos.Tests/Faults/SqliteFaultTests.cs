using TaskFlow.Chaos.Scenarios;
using Xunit.Abstractions;

namespace TaskFlow.Chaos.Tests.Faults;

/// <summary>SQLite faults: the disk fills up mid-run (a small tmpfs; needs root to mount).</summary>
[Collection(ChaosCollection.Name)]
public sealed class SqliteFaultTests(ITestOutputHelper output)
{
    [Fact]
    public async Task DiskFullMidRun_ClearErrorNothingCorrupt_RunFinishesWhenSpaceReturns()
    {
        var settings = ScenarioSettings.Ci with { Faults = 1, BranchDuration = "20ms" };

        var figures = await SqliteDiskFullScenario.RunAsync(settings);

        output.WriteLine(figures.ToString());
        Assert.True(figures.Problems.Count == 0, figures.ToString());
        Assert.Equal(1, figures.Faults);
        Assert.Equal(0, figures.Lost);
        Assert.Equal(0, figures.Doubled);
        Assert.Equal("ok", figures.Notes["integrity_check"]);
        Assert.Contains("full", figures.Notes["error while full"], StringComparison.OrdinalIgnoreCase);
    }
}
