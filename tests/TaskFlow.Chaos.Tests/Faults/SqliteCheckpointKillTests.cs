using TaskFlow.Chaos.Scenarios;
using Xunit.Abstractions;

namespace TaskFlow.Chaos.Tests.Faults;

/// <summary>
/// The embedded default killed during WAL checkpoints, three times, under a fan-out workload: the
/// database stays intact, the server starts again on it, and every instance finishes with every
/// node succeeded once (the bench kills more often).
/// </summary>
[Collection(ChaosCollection.Name)]
public sealed class SqliteCheckpointKillTests(ITestOutputHelper output)
{
    [Fact]
    public async Task KilledDuringCheckpoints_DatabaseIntact_AndEveryInstanceFinishesAfterTheRestarts()
    {
        var figures = await SqliteCheckpointKillScenario.RunAsync(ScenarioSettings.Ci with { Faults = 3, Instances = 20, Branches = 100, BranchDuration = "5ms" }, output.WriteLine);

        output.WriteLine(figures.ToString());
        Assert.True(figures.Passed && figures.Unfinished == 0, figures.ToString());
        Assert.Equal(3, figures.Faults);

        // At least one of the kills came while a checkpoint was copying pages (the -shm record says so).
        Assert.True(figures.Notes.ContainsKey("kills inside a checkpoint"), figures.ToString());
    }
}
