using System.Globalization;
using System.Text.RegularExpressions;

namespace TaskFlow.Core.Decomposition;

internal static partial class DescriptionParser
{
    // A step number inside a line: "1." or "1)" after the start, a space or ':' and before a space.
    // "version 2.0" and "3.5 GB" have no space after the dot, so they are no step numbers.
    [GeneratedRegex(@"(?<=^|[\s:;,])(?<number>[0-9]{1,2})[.)][ \t]+(?=\S)", RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture)]
    private static partial Regex InlineNumber();

    /// <summary>
    /// The steps of prose numbered on one line ("Build the release: 1. run the tests 2. build the
    /// image"): the numbers must run 1, 2, 3, ... and there must be two or more. The text before
    /// "1." is a lead-in, context rather than a step. Null when the prose is not numbered so.
    /// </summary>
    private static List<string>? SplitInlineNumbers(string prose)
    {
        var text = Whitespace().Replace(prose, " ").Trim();
        var starts = new List<(int Marker, int Text)>();
        foreach (Match match in InlineNumber().Matches(text))
        {
            var number = int.Parse(match.Groups["number"].Value, CultureInfo.InvariantCulture);
            if (number == starts.Count + 1)
            {
                starts.Add((match.Index, match.Index + match.Length));
            }
        }

        if (starts.Count < 2)
        {
            return null;
        }

        var steps = new List<string>(starts.Count);
        for (var i = 0; i < starts.Count; i++)
        {
            var end = i + 1 < starts.Count ? starts[i + 1].Marker : text.Length;
            var step = text[starts[i].Text..end].Trim().TrimEnd('.', ',', ';', ':', ' ');
            step = StripSequenceWord(step, out _);
            if (step.Length == 0)
            {
                return null;
            }

            steps.Add(Capitalise(step));
        }

        return steps;
    }
}
