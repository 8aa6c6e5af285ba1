using System.Globalization;

namespace TaskFlow.Chaos.Fuzz;

/// <summary>What a fuzzer ran and found: cases accepted and rejected, and every failure with the input that caused it.</summary>
public sealed class FuzzFigures(string name, int seed)
{
    public string Name { get; } = name;

    public int Seed { get; } = seed;

    public int Cases { get; set; }

    public int Accepted { get; set; }

    public int Rejected { get; set; }

    /// <summary>Crashes, unhandled 500s, and rejections that do not name the problem, each with its input.</summary>
    public List<string> Failures { get; } = [];

    public TimeSpan Elapsed { get; set; }

    /// <summary>Other counts worth printing.</summary>
    public Dictionary<string, string> Notes { get; } = new(StringComparer.Ordinal);

    public void Fail(string what, string input) =>
        Failures.Add($"{what}{Environment.NewLine}    input: {(input.Length > 400 ? input[..400] + " ..." : input)}");

    public string Line() => string.Create(CultureInfo.InvariantCulture,
        $"{Name,-26} seed {Seed,6}  cases {Cases,6}  accepted {Accepted,6}  rejected {Rejected,6}  failures {Failures.Count}  ({Elapsed.TotalSeconds:F1} s)") + string.Join("", Notes.Select(n => $", {n.Key} {n.Value}"));

    public override string ToString() =>
        Line() + (Failures.Count == 0 ? "" : Environment.NewLine + string.Join(Environment.NewLine, Failures.Take(40).Select(f => "  failure: " + f)));
}
