using TaskFlow.Chaos.Scenarios;
using Xunit.Abstractions;

namespace TaskFlow.Chaos.Tests.Faults;

/// <summary>
/// Database faults at CI size. Each asserts what the scenario's audit found: nothing lost, nothing
/// doubled, every instance finished, the database consistent, and the workers woken by NOTIFY
/// afterwards (their idle safety net is an hour, so a LISTEN not re-established fails the probe).
/// </summary>
[Collection(ChaosCollection.Name)]
public sealed class PostgresFaultTests(ITestOutputHelper output)
{
    [Fact]
    public Task RestartImmediate_MidRun_WorkersReconnectAndNothingIsLostOrDoubled() =>
        ScenarioAssert.RunAsync(new PostgresRestartScenario(), ScenarioSettings.Ci, output);

    [Fact]
    public Task EveryBackendOfAWorkerTerminated_Repeatedly_WorkersReconnectAndNothingIsLostOrDoubled() =>
        ScenarioAssert.RunAsync(new BackendTerminationScenario(), ScenarioSettings.Ci with { Faults = 6 }, output);

    [Fact]
    public Task TablesLocked_WithStatementTimeoutAndSmallPool_WorkersRecoverAndNothingIsLostOrDoubled() =>
        ScenarioAssert.RunAsync(new LockStormScenario(), ScenarioSettings.Ci with { Faults = 2 }, output);
}
