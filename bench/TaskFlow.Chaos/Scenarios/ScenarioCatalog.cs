namespace TaskFlow.Chaos.Scenarios;

/// <summary>Every fault scenario, in the order the bench runs them.</summary>
public static class ScenarioCatalog
{
    public static IReadOnlyList<ChaosScenario> All { get; } =
    [
        new PostgresRestartScenario(),
        new BackendTerminationScenario(),
        new LockStormScenario(),
        new KillInTransactionScenario(),
        new KillAllScenario(),
    ];
}
