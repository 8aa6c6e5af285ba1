using System.Globalization;
using System.Text.RegularExpressions;

namespace TaskFlow.Core.Model;

/// <summary>Parses the duration strings used in definitions: <c>250ms</c>, <c>30s</c>, <c>5m</c>, <c>1h30m</c>, <c>2d</c>, <c>00:01:30</c> or a plain number of seconds.</summary>
public static partial class Duration
{
    // [0-9], not \d: \d also matches other scripts' digits, which double.Parse then rejects.
    [GeneratedRegex(@"^\s*(?:([0-9]+(?:\.[0-9]+)?)\s*(ms|s|m|h|d)\s*)+$", RegexOptions.CultureInvariant)]
    private static partial Regex UnitsPattern();

    [GeneratedRegex(@"([0-9]+(?:\.[0-9]+)?)\s*(ms|s|m|h|d)", RegexOptions.CultureInvariant)]
    private static partial Regex UnitPart();

    // Half of TimeSpan's range, so that adding a duration to a date or a delay cannot overflow.
    private static readonly double MaxMilliseconds = TimeSpan.MaxValue.TotalMilliseconds / 2;

    /// <summary>Never throws: anything that is not a duration in range, NaN and overflow included, returns false.</summary>
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            // The negated test also rejects NaN, which TimeSpan.FromSeconds would throw on.
            if (!(seconds >= 0 && seconds * 1_000 <= MaxMilliseconds))
            {
                return false;
            }

            value = TimeSpan.FromSeconds(seconds);
            return true;
        }

        if (UnitsPattern().IsMatch(text))
        {
            double ms = 0;
            foreach (Match part in UnitPart().Matches(text))
            {
                var n = double.Parse(part.Groups[1].Value, CultureInfo.InvariantCulture);
                ms += part.Groups[2].Value switch
                {
                    "ms" => n,
                    "s" => n * 1_000,
                    "m" => n * 60_000,
                    "h" => n * 3_600_000,
                    _ => n * 86_400_000,
                };
            }

            if (ms > MaxMilliseconds)
            {
                return false;
            }

            value = TimeSpan.FromMilliseconds(ms);
            return true;
        }

        if (TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span) && span >= TimeSpan.Zero)
        {
            value = span;
            return true;
        }

        return false;
    }

    public static TimeSpan Parse(string text, string what) =>
        TryParse(text, out var value)
            ? value
            : throw new FormatException($"{what}: '{text}' is not a duration; write e.g. 250ms, 30s, 5m, 1h30m or 00:01:30.");
}
