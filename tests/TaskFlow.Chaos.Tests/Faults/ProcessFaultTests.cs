using TaskFlow.Chaos.Scenarios;
using Xunit.Abstractions;

namespace TaskFlow.Chaos.Tests.Faults;

/// <summary>Worker processes killed with SIGKILL at CI size; the audit's assertions as in <see cref="PostgresFaultTests"/>.</summary>
[Collection(ChaosCollection.Name)]
public sealed class ProcessFaultTests(ITestOutputHelper output)
{
    [Fact]
    public Task OneOfThreeWorkersKilledInsideATransaction_OthersTakeOver_NothingLostOrDoubled() =>
        ScenarioAssert.RunAsync(new KillInTransactionScenario(), ScenarioSettings.Ci with { Faults = 2, Workers = 3 }, output);

    [Fact]
    public Task AllWorkersKilledAtOnce_ThenRestarted_NothingLostOrDoubled() =>
        ScenarioAssert.RunAsync(new KillAllScenario(), ScenarioSettings.Ci with { Faults = 2 }, output);
}
