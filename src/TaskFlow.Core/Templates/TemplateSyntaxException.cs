namespace TaskFlow.Core.Templates;

/// <summary>
/// A template or expression is not valid. The message names the problem, the 1-based column
/// (counted in characters from the start of the text) and the text itself.
/// </summary>
public sealed class TemplateSyntaxException : FormatException
{
    private const int MaxExcerptLength = 120;

    internal TemplateSyntaxException(string reason, int column, string text)
        : this(reason, column, text, path: null, innerException: null)
    {
    }

    private TemplateSyntaxException(string reason, int column, string text, string? path, Exception? innerException)
        : base(BuildMessage(reason, column, text, path), innerException)
    {
        Reason = reason;
        Column = column;
        Text = text;
        Path = path;
    }

    /// <summary>What is wrong, without the location, e.g. <c>Unexpected ')'</c>.</summary>
    public string Reason { get; }

    /// <summary>1-based position of the problem, counted in characters from the start of <see cref="Text"/>.</summary>
    public int Column { get; }

    /// <summary>The whole template or expression text that failed to parse.</summary>
    public string Text { get; }

    /// <summary>The JSON path of the failing string when it came from <see cref="TemplatedJson"/>; otherwise <c>null</c>.</summary>
    public string? Path { get; }

    internal static TemplateSyntaxException At(string text, int index, string reason) => new(reason, index + 1, text);

    internal TemplateSyntaxException WithPath(string path) => new(Reason, Column, Text, path, this);

    private static string BuildMessage(string reason, int column, string text, string? path)
    {
        var prefix = path is null ? "" : path + ": ";
        return $"{prefix}{reason} at column {column} in '{Excerpt(text, column)}'.";
    }

    // Templates may be 64 KiB long; quote only the neighbourhood of the problem.
    private static string Excerpt(string text, int column)
    {
        if (text.Length <= MaxExcerptLength)
        {
            return text;
        }

        var start = Math.Clamp(column - 1 - (MaxExcerptLength / 2), 0, text.Length - MaxExcerptLength);
        var excerpt = text.Substring(start, MaxExcerptLength);
        return (start > 0 ? "..." : "") + excerpt + (start + MaxExcerptLength < text.Length ? "..." : "");
    }
}
