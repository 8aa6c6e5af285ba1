namespace TaskFlow.Chaos.Tests;

/// <summary>
/// The fault scenarios run one at a time: each starts worker processes and loads the CPU, and a
/// fault of one must not land in another's run.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ChaosCollection
{
    public const string Name = "chaos";
}
