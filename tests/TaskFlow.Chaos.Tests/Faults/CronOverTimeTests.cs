using TaskFlow.Chaos.Scenarios;
using Xunit.Abstractions;

namespace TaskFlow.Chaos.Tests.Faults;

/// <summary>
/// Cron over time: three servers on one PostgreSQL with Hangfire's default polling (15 s), a cron
/// trigger every second, a server killed and replaced every 15 s: every tick starts exactly one
/// instance (the bench runs 1,000 ticks).
/// </summary>
[Collection(ChaosCollection.Name)]
public sealed class CronOverTimeTests(ITestOutputHelper output)
{
    [Fact]
    public async Task EverySecondOnThreeServers_OneKilledAtATime_EveryTickStartsExactlyOneInstance()
    {
        var figures = await CronOverTimeScenario.RunAsync(CronOverTimeSettings.Ci, output.WriteLine);

        output.WriteLine(figures.ToString());
        Assert.True(figures.Passed, figures.ToString());
        Assert.True(figures.Faults >= 2, figures.ToString());
        Assert.True(int.Parse(figures.Notes["ticks expected"], System.Globalization.CultureInfo.InvariantCulture) >= 45, figures.ToString());
        Assert.Equal(figures.Notes["ticks expected"], figures.Notes["ticks started"]);
    }
}
