namespace TaskFlow.Chaos.Scenarios;

/// <summary>How big a scenario runs: small in CI, large in the bench.</summary>
public sealed record ScenarioSettings
{
    /// <summary>Instances started per run.</summary>
    public int Instances { get; init; } = 20;

    /// <summary>Parallel branches per instance (a fan-out of sleeps joined by WaitAll).</summary>
    public int Branches { get; init; } = 40;

    /// <summary>How long each branch's activity sleeps.</summary>
    public string BranchDuration { get; init; } = "150ms";

    /// <summary>Faults injected per run.</summary>
    public int Faults { get; init; } = 3;

    /// <summary>Runs of the scenario, each on a fresh database.</summary>
    public int Runs { get; init; } = 1;

    public int Workers { get; init; } = 2;

    public int WorkerConcurrency { get; init; } = 16;

    public double LeaseSeconds { get; init; } = 3;

    /// <summary>Longest a run may take to finish after its last fault before it counts as stuck.</summary>
    public TimeSpan FinishTimeout { get; init; } = TimeSpan.FromMinutes(3);

    /// <summary>The CI size: a few faults on a small workload, well inside the test budget.</summary>
    public static ScenarioSettings Ci { get; } = new();

    /// <summary>The bench size: more runs, instances and faults.</summary>
    public static ScenarioSettings Bench { get; } = new() { Instances = 50, Branches = 100, Faults = 6, Runs = 2 };
}
