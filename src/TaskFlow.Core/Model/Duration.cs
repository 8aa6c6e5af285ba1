using System.Globalization;
using System.Text.RegularExpressions;

namespace TaskFlow.Core.Model;

/// <summary>Parses the duration strings used in definitions: <c>250ms</c>, <c>30s</c>, <c>5m</c>, <c>1h30m</c>, <c>2d</c>, <c>00:01:30</c> or a plain number of seconds.</summary>
public static partial class Duration
{
    [GeneratedRegex(@"^\s*(?:(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*)+$", RegexOptions.CultureInvariant)]
    private static partial Regex UnitsPattern();

    [GeneratedRegex(@"(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)", RegexOptions.CultureInvariant)]
    private static partial Regex UnitPart();

    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            if (seconds < 0 || seconds > TimeSpan.MaxValue.TotalSeconds / 2)
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

            value = TimeSpan.FromMilliseconds(ms);
            return true;
        }

        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out value) && value >= TimeSpan.Zero;
    }

    public static TimeSpan Parse(string text, string what) =>
        TryParse(text, out var value)
            ? value
            : throw new FormatException($"{what}: '{text}' is not a duration; write e.g. 250ms, 30s, 5m, 1h30m or 00:01:30.");
}
