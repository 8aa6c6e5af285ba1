using TaskFlow.Chaos.Scenarios;
using Xunit.Abstractions;

namespace TaskFlow.Chaos.Tests.Faults;

internal static class ScenarioAssert
{
    /// <summary>Runs the scenario, prints its figures, and fails with every problem the audit found.</summary>
    public static async Task RunAsync(ChaosScenario scenario, ScenarioSettings settings, ITestOutputHelper output)
    {
        var figures = await scenario.RunAsync(settings, output.WriteLine);
        output.WriteLine(figures.ToString());
        Assert.True(figures.Problems.Count == 0, figures.ToString());
        Assert.Equal(0, figures.Lost);
        Assert.Equal(0, figures.Doubled);
        Assert.Equal(0, figures.Unfinished);
        Assert.Equal(settings.Runs, figures.Runs);
        Assert.Equal(settings.Instances * settings.Runs, figures.Instances);
        Assert.True(figures.Faults > 0, "No fault was injected.");
    }
}
