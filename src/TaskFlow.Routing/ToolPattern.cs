namespace TaskFlow.Routing;

/// <summary>
/// A rule's tool pattern: an exact name (<c>memory.store</c>), a prefix ending in <c>*</c>
/// (<c>memory.*</c> matches <c>memory.store</c>) or <c>*</c> for every tool. Matching is ordinal.
/// </summary>
public sealed class ToolPattern
{
    private readonly string _fixed;
    private readonly bool _isPrefix;

    private ToolPattern(string text, string fixedPart, bool isPrefix)
    {
        Text = text;
        _fixed = fixedPart;
        _isPrefix = isPrefix;
    }

    public string Text { get; }

    /// <summary>Parses a pattern; null and a message when it is not one of the three forms.</summary>
    public static ToolPattern? TryParse(string? text, out string? error)
    {
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "the pattern is empty";
            return null;
        }

        var star = text.IndexOf('*', StringComparison.Ordinal);
        if (star >= 0 && star != text.Length - 1)
        {
            error = $"'{text}' has a '*' that is not at the end; write an exact tool name, a prefix such as 'memory.*', or '*'";
            return null;
        }

        return star < 0 ? new ToolPattern(text, text, isPrefix: false) : new ToolPattern(text, text[..^1], isPrefix: true);
    }

    /// <summary>
    /// The part before the first '.' that every tool this pattern matches starts with, when the
    /// pattern's fixed text has a '.' (<c>memory</c> for <c>memory.*</c> and <c>memory.store</c>);
    /// null for patterns that may match tools of any first segment (<c>*</c>, <c>mem*</c>, <c>store</c>).
    /// </summary>
    public string? FirstSegment
    {
        get
        {
            var dot = _fixed.IndexOf('.', StringComparison.Ordinal);
            return dot >= 0 ? _fixed[..dot] : null;
        }
    }

    public bool Matches(string tool) => _isPrefix ? tool.StartsWith(_fixed, StringComparison.Ordinal) : string.Equals(tool, _fixed, StringComparison.Ordinal);

    public override string ToString() => Text;
}
