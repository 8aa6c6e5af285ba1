namespace TaskFlow.Core.Import;

/// <summary>Makes TaskFlow ids (letters, digits, '-', '_' and '.', 1–128 characters, not starting with '-' or '.') from Elsa ids and names.</summary>
internal static class ElsaIds
{
    public const int MaxLength = 128;

    /// <summary>Replaces every other character by '-'; null when nothing usable is left.</summary>
    public static string? Sanitize(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var cleaned = new string(text.Trim().Select(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-' ? c : '-').ToArray()).TrimStart('-', '.');
        if (cleaned.Length > MaxLength)
        {
            cleaned = cleaned[..MaxLength];
        }

        return cleaned.Length == 0 ? null : cleaned;
    }
}
