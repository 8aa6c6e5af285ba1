using System.Globalization;

namespace TaskFlow.Chaos.Scenarios;

/// <summary>What one scenario survived: the figures printed per scenario, and every problem found.</summary>
public sealed class ScenarioFigures(string name)
{
    public string Name { get; } = name;

    public int Runs { get; set; }

    public int Faults { get; set; }

    public int Instances { get; set; }

    /// <summary>Instances started that are missing, or that finished without every node's success.</summary>
    public int Lost { get; set; }

    /// <summary>Node transitions or instance completions journaled more than once.</summary>
    public int Doubled { get; set; }

    /// <summary>Instances still running at the end (each must then be resumable; see <see cref="Problems"/>).</summary>
    public int Unfinished { get; set; }

    /// <summary>Per fault: from the end of the fault to the first commit after it (or to the takeover of a killed worker's leases).</summary>
    public List<double> RecoveryMs { get; } = [];

    /// <summary>Every broken invariant, in words; empty when the scenario passed.</summary>
    public List<string> Problems { get; } = [];

    /// <summary>Other figures worth printing (node successes, leases reclaimed, ...).</summary>
    public Dictionary<string, string> Notes { get; } = new(StringComparer.Ordinal);

    public TimeSpan Elapsed { get; set; }

    /// <summary>Adds <paramref name="value"/> to the count kept as a note (0 when it has none yet).</summary>
    public void Count(string note, int value) =>
        Notes[note] = ((Notes.TryGetValue(note, out var text) ? int.Parse(text, CultureInfo.InvariantCulture) : 0) + value).ToString(CultureInfo.InvariantCulture);

    public bool Passed => Problems.Count == 0 && Lost == 0 && Doubled == 0;

    public string Line()
    {
        var sorted = RecoveryMs.Order().ToArray();
        var recovery = sorted.Length == 0 ? "-" : $"p50 {Ms(sorted[sorted.Length / 2])} max {Ms(sorted[^1])}";
        var notes = Notes.Count == 0 ? "" : "  " + string.Join(", ", Notes.Select(n => $"{n.Key} {n.Value}"));
        return string.Create(CultureInfo.InvariantCulture,
            $"{Name,-26} runs {Runs,3}  faults {Faults,5}  instances {Instances,6}  lost {Lost}  doubled {Doubled}  unfinished {Unfinished}  recovery {recovery}  ({Elapsed.TotalSeconds:F1} s){notes}");
    }

    public override string ToString() =>
        Line() + (Problems.Count == 0 ? "" : Environment.NewLine + string.Join(Environment.NewLine, Problems.Take(20).Select(p => "  problem: " + p)));

    private static string Ms(double value) => value.ToString("F0", CultureInfo.InvariantCulture) + " ms";
}
