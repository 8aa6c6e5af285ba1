using System.Text.RegularExpressions;

namespace TaskFlow.Core.Decomposition;

/// <summary>
/// Derives subtasks from the structure of a description: markdown headings as groups, numbered
/// and bulleted list items, and sequencing words. Deterministic and free of I/O; the rules are
/// listed in docs/decomposition.md.
/// </summary>
internal static partial class DescriptionParser
{
    // [0-9], not \d: \d also matches other scripts' digits.
    [GeneratedRegex(@"^ {0,3}(#{1,6})[ \t]+(\S.*?)(?:[ \t]+#+)?[ \t]*$", RegexOptions.CultureInvariant)]
    private static partial Regex HeadingLine();

    [GeneratedRegex(@"^([ \t]*)(?:[-*+•]|[0-9]{1,3}[.):])[ \t]+(\S.*)$", RegexOptions.CultureInvariant)]
    private static partial Regex ItemLine();

    [GeneratedRegex(@"^[ \t]*(?:```|~~~)", RegexOptions.CultureInvariant)]
    private static partial Regex FenceLine();

    private enum LineKind
    {
        Blank,
        Heading,
        Item,
        Text,
    }

    /// <summary>A classified line. Content is the heading or item text, or the trimmed line; Numbered: an item with a number for a marker.</summary>
    private readonly record struct Line(LineKind Kind, string Raw, int Indent, int Level, string Content, bool Numbered = false);

    public static IReadOnlyList<DescriptionItem> Parse(string? description)
    {
        if (string.IsNullOrWhiteSpace(description))
        {
            return [];
        }

        var lines = Classify(description);
        var groupLevel = GroupLevel(lines);
        var items = new List<DescriptionItem>();
        if (groupLevel == 0)
        {
            ReadSection(lines, 0, lines.Count, group: null, SectionKind.Whole, items);
        }
        else
        {
            var first = lines.FindIndex(l => l.Kind == LineKind.Heading && l.Level == groupLevel);
            ReadSection(lines, 0, first, group: null, SectionKind.Preamble, items);
            for (var start = first; start < lines.Count;)
            {
                var end = lines.FindIndex(start + 1, l => l.Kind == LineKind.Heading && l.Level == groupLevel);
                end = end < 0 ? lines.Count : end;
                ReadSection(lines, start + 1, end, lines[start].Content, SectionKind.Group, items);
                start = end;
            }
        }

        // Nothing recognisable (only titles, say): the description is one subtask.
        return items.Count > 0 ? items : [new DescriptionItem(description.Trim(), null, false)];
    }

    private static List<Line> Classify(string description)
    {
        var raw = description.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').Split('\n');
        var lines = new List<Line>(raw.Length);
        var inFence = false;
        foreach (var text in raw)
        {
            if (FenceLine().IsMatch(text))
            {
                // Fenced code is text, whatever it holds: a '# comment' in a shell script is no heading.
                inFence = !inFence;
                lines.Add(new Line(LineKind.Text, text, IndentOf(text), 0, text.Trim()));
            }
            else if (string.IsNullOrWhiteSpace(text))
            {
                lines.Add(new Line(LineKind.Blank, text, 0, 0, ""));
            }
            else if (inFence)
            {
                lines.Add(new Line(LineKind.Text, text, IndentOf(text), 0, text.Trim()));
            }
            else if (FirstMark(text) == '#' && HeadingLine().Match(text) is { Success: true } heading)
            {
                lines.Add(new Line(LineKind.Heading, text, 0, heading.Groups[1].Length, heading.Groups[2].Value.Trim()));
            }
            else if (FirstMark(text) is '-' or '*' or '+' or '•' or (>= '0' and <= '9') && ItemLine().Match(text) is { Success: true } item)
            {
                lines.Add(new Line(LineKind.Item, text, IndentOf(text), 0, item.Groups[2].Value.Trim(), FirstMark(text) is >= '0' and <= '9'));
            }
            else
            {
                lines.Add(new Line(LineKind.Text, text, IndentOf(text), 0, text.Trim()));
            }
        }

        return lines;
    }

    /// <summary>The shallowest heading level used at least twice, or 0 when there is none: a lone heading is a title.</summary>
    private static int GroupLevel(List<Line> lines)
    {
        Span<int> counts = stackalloc int[7];
        foreach (var line in lines)
        {
            if (line.Kind == LineKind.Heading)
            {
                counts[line.Level]++;
            }
        }

        for (var level = 1; level <= 6; level++)
        {
            if (counts[level] >= 2)
            {
                return level;
            }
        }

        return 0;
    }

    /// <summary>The first character that is not a space or tab: only a '#', a bullet or a digit can start a heading or an item.</summary>
    private static char FirstMark(string text)
    {
        foreach (var c in text)
        {
            if (c is not (' ' or '\t'))
            {
                return c;
            }
        }

        return ' ';
    }

    private static int IndentOf(string text)
    {
        var columns = 0;
        foreach (var c in text)
        {
            if (c == ' ')
            {
                columns++;
            }
            else if (c == '\t')
            {
                columns += 4;
            }
            else
            {
                break;
            }
        }

        return columns;
    }
}
