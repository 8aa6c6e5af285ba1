namespace TaskFlow.Core.Decomposition;

/// <summary>Text placed in node inputs, where every string is a template.</summary>
internal static class TemplateText
{
    /// <summary>
    /// Text that renders as <paramref name="text"/> itself: each <c>{{</c> becomes the placeholder
    /// <c>{{ "{{" }}</c>, so a description that mentions templates is shown, not evaluated.
    /// </summary>
    public static string Literal(string text)
    {
        if (!text.Contains("{{", StringComparison.Ordinal))
        {
            return text;
        }

        // A lone "{{" between blanks would become one whole-value placeholder, and rendering that
        // drops the blanks around it; a string literal holding the whole text keeps them.
        return text.AsSpan().Trim().SequenceEqual("{{")
            ? "{{ \"" + StringLiteralBody(text) + "\" }}"
            : text.Replace("{{", "{{ \"{{\" }}", StringComparison.Ordinal);
    }

    private static string StringLiteralBody(string text)
    {
        var body = new System.Text.StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            if (c is '"' or '\\')
            {
                body.Append('\\').Append(c);
            }
            else if (c != ' ' && char.IsWhiteSpace(c))
            {
                body.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                body.Append(c);
            }
        }

        return body.ToString();
    }

    /// <summary>
    /// A whole-value placeholder that reads <paramref name="member"/> of node <paramref name="nodeId"/>:
    /// <c>nodes.a.output</c>, or <c>nodes["g1.aggregate"].output</c> for an id that is not an identifier.
    /// </summary>
    public static string NodeMember(string nodeId, string member) =>
        IsIdentifier(nodeId) ? "{{ nodes." + nodeId + "." + member + " }}" : "{{ nodes[\"" + nodeId + "\"]." + member + " }}";

    // The template language's identifiers: [A-Za-z_][A-Za-z0-9_]*. Ids never hold quotes, so the bracket form is always safe.
    private static bool IsIdentifier(string id) =>
        id.Length > 0 && !char.IsAsciiDigit(id[0]) && id.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    /// <summary>A short display name: the first non-blank line without a heading marker, at most 80 characters; null for blank text.</summary>
    public static string? Label(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var line = text.AsSpan().Trim();
        var end = line.IndexOfAny('\r', '\n');
        line = (end < 0 ? line : line[..end]).TrimStart('#').Trim();
        return line.Length == 0 ? null : line.Length <= 80 ? line.ToString() : string.Concat(line[..79].TrimEnd(), "…");
    }
}
