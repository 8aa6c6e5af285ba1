using System.Globalization;

namespace TaskFlow.Workspaces;

/// <summary>Sizes as people write them: <c>512m</c>, <c>4GiB</c>, <c>10GB</c>, <c>1048576</c> (bytes). k/m/g/t are powers of 1024.</summary>
public static class ByteSize
{
    public static bool TryParse(string? text, out long bytes)
    {
        bytes = 0;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var s = text.Trim().ToLowerInvariant();
        foreach (var suffix in new[] { "ib", "b" })
        {
            if (s.Length > suffix.Length && s.EndsWith(suffix, StringComparison.Ordinal) && char.IsLetter(s[^(suffix.Length + 1)]))
            {
                s = s[..^suffix.Length];
                break;
            }
        }

        var multiplier = s[^1] switch
        {
            'k' => 1L << 10,
            'm' => 1L << 20,
            'g' => 1L << 30,
            't' => 1L << 40,
            'b' => 1L,
            _ => 0L,
        };
        if (multiplier != 0)
        {
            s = s[..^1].TrimEnd();
        }
        else
        {
            multiplier = 1;
        }

        if (!double.TryParse(s, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) || value <= 0 || value * multiplier > long.MaxValue)
        {
            return false;
        }

        bytes = (long)(value * multiplier);
        return bytes > 0;
    }
}
