namespace TaskFlow.Core.Scripting;

/// <summary>
/// Limits of one JavaScript evaluation and the size of the engine pool. Every limit applies per
/// evaluation, so one hostile script stops with an error and nothing else notices.
/// Bound from <c>TaskFlow:JavaScript</c>.
/// </summary>
public sealed class JavaScriptOptions
{
    public const string SectionName = "TaskFlow:JavaScript";

    /// <summary>Statements one evaluation may execute (a loop body counts once per turn).</summary>
    public int MaxStatements { get; set; } = 100_000;

    /// <summary>Deepest call nesting.</summary>
    public int MaxRecursionDepth { get; set; } = 256;

    /// <summary>Wall-clock time one evaluation may take.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Bytes one evaluation may allocate.</summary>
    public long MemoryLimitBytes { get; set; } = 32L * 1024 * 1024;

    /// <summary>Longest array a script may build.</summary>
    public int MaxArrayLength { get; set; } = 1_000_000;

    /// <summary>Engines kept for reuse; more are created when more evaluations run at once, and dropped afterwards.</summary>
    public int PoolSize { get; set; } = Environment.ProcessorCount * 2;

    /// <summary>Every problem with these options, for one message at startup; empty when they are valid.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (MaxStatements < 1)
        {
            problems.Add($"MaxStatements is {MaxStatements}; it must be at least 1.");
        }

        if (MaxRecursionDepth < 1)
        {
            problems.Add($"MaxRecursionDepth is {MaxRecursionDepth}; it must be at least 1.");
        }

        if (Timeout <= TimeSpan.Zero)
        {
            problems.Add($"Timeout is {Timeout}; it must be positive.");
        }

        if (MemoryLimitBytes < 1024 * 1024)
        {
            problems.Add($"MemoryLimitBytes is {MemoryLimitBytes}; it must be at least 1048576 (1 MiB).");
        }

        if (MaxArrayLength < 1)
        {
            problems.Add($"MaxArrayLength is {MaxArrayLength}; it must be at least 1.");
        }

        if (PoolSize < 1)
        {
            problems.Add($"PoolSize is {PoolSize}; it must be at least 1.");
        }

        return problems;
    }
}
