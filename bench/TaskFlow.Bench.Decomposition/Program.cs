using System.Diagnostics;
using System.Globalization;
using System.Text;
using TaskFlow.Core.Decomposition;

// Usage: dotnet run -c Release --project bench/TaskFlow.Bench.Decomposition -- [--iterations 2000]
// Time to decompose a task of 50 subtasks with each strategy, and a recursive task nested five
// levels deep, after warm-up. The target is under 1 ms per decomposition.
var iterations = Argument("--iterations", 2000);
var flat = new DecompositionTask
{
    Id = "flat",
    Complexity = 80,
    Subtasks = [.. Enumerable.Range(0, 50).Select(i => new Subtask
    {
        Id = $"s{i}",
        Description = $"Subtask {i}: do part {i} of the work",
        Complexity = 10 + (i % 40),
        Weight = 1 + (i % 3),
        Group = $"g{i % 5}",
        Dependencies = i % 10 == 0 || i < 5 ? [] : [$"s{i - 5}"],
    })],
};

// Nested lists five levels deep (1, 2, 4, 8 and 32 items: 47 subtasks): a definition per level
// under the recursive strategy, as deep as the default max_depth allows.
var nested = new StringBuilder();
void Level(int depth, string label, int count)
{
    for (var i = 0; i < count; i++)
    {
        var name = label.Length == 0 ? $"{i}" : $"{label}.{i}";
        nested.Append(' ', depth * 2).Append(CultureInfo.InvariantCulture, $"- Step {name} of the work\n");
        if (depth < 4)
        {
            Level(depth + 1, name, depth == 3 ? 4 : 2);
        }
    }
}

Level(0, "", 1);

var deep = new DecompositionTask { Id = "deep", Complexity = 100, Description = nested.ToString() };
Console.WriteLine(FormattableString.Invariant($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; date {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; {iterations} iterations per case after as many warm-up ones"));
Console.WriteLine();
Console.WriteLine("| Case | Definitions | Nodes | p50 | p99 | allocated per call |");
Console.WriteLine("|---|---|---|---|---|---|");
foreach (var strategy in new[] { DecompositionStrategy.Parallel, DecompositionStrategy.Sequential, DecompositionStrategy.Hierarchical, DecompositionStrategy.Auto })
{
    Run($"50 subtasks, {strategy.ToString().ToLowerInvariant()}", flat, new DecompositionOptions { Strategy = strategy });
}

Run("47 subtasks in lists nested 5 deep, recursive (threshold 1)", deep, new DecompositionOptions { Strategy = DecompositionStrategy.Recursive, RecursionThreshold = 1 });
return 0;

void Run(string name, DecompositionTask task, DecompositionOptions options)
{
    var result = TaskDecomposition.Decompose(task, options);
    if (!result.Succeeded)
    {
        throw new InvalidOperationException($"{name}: {string.Join("; ", result.Problems.Select(p => p.Message))}");
    }

    for (var i = 0; i < iterations; i++)
    {
        TaskDecomposition.Decompose(task, options);
    }

    var times = new double[iterations];
    var before = GC.GetAllocatedBytesForCurrentThread();
    for (var i = 0; i < iterations; i++)
    {
        var started = Stopwatch.GetTimestamp();
        TaskDecomposition.Decompose(task, options);
        times[i] = Stopwatch.GetElapsedTime(started).TotalMicroseconds;
    }

    var allocated = (GC.GetAllocatedBytesForCurrentThread() - before) / iterations;
    Array.Sort(times);
    Console.WriteLine(FormattableString.Invariant($"| {name} | {result.Definitions.Count} | {result.Definitions.Sum(d => d.Nodes.Count)} | {times[iterations / 2]:0} us | {times[(int)(iterations * 0.99)]:0} us | {allocated / 1024.0:0} KB |"));
}

static int Argument(string name, int fallback)
{
    var args = Environment.GetCommandLineArgs();
    var at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length && int.TryParse(args[at + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0 ? value : fallback;
}
