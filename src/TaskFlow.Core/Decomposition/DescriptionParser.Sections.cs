namespace TaskFlow.Core.Decomposition;

internal static partial class DescriptionParser
{
    private enum SectionKind
    {
        /// <summary>The whole description, when it has no group headings.</summary>
        Whole,

        /// <summary>The text before the first group heading: an introduction.</summary>
        Preamble,

        /// <summary>The lines under one group heading.</summary>
        Group,
    }

    /// <summary>A top-level list item and the lines that belong to it (nested items, continuations).</summary>
    private sealed class ItemLines(Line first)
    {
        public Line First { get; } = first;

        public List<Line> More { get; } = [];

        public string Text()
        {
            if (More.Count == 0)
            {
                return First.Content;
            }

            // Nested lines keep their markers, dedented, so that decomposing the item again finds them.
            var dedent = More.Where(l => l.Kind != LineKind.Blank).Select(l => l.Indent).DefaultIfEmpty(0).Min();
            var lines = More.Select(l => l.Kind == LineKind.Blank ? "" : Dedent(l.Raw, dedent));
            return (First.Content + "\n" + string.Join("\n", lines)).TrimEnd();
        }
    }

    private static void ReadSection(List<Line> lines, int start, int end, string? group, SectionKind kind, List<DescriptionItem> items)
    {
        var list = new List<ItemLines>();
        var prose = new List<Line>();
        ItemLines? current = null;
        var blankSinceItem = false;
        for (var i = start; i < end; i++)
        {
            var line = lines[i];
            switch (line.Kind)
            {
                case LineKind.Blank:
                    blankSinceItem |= current is not null;
                    current?.More.Add(line);
                    prose.Add(line);
                    break;
                case LineKind.Heading:
                    // Headings other than the group level are titles or sub-titles: context, not subtasks.
                    current = null;
                    break;
                case LineKind.Item when current is null || line.Indent <= current.First.Indent:
                    current = new ItemLines(line);
                    list.Add(current);
                    blankSinceItem = false;
                    break;
                case LineKind.Item:
                    current!.More.Add(line);
                    blankSinceItem = false;
                    break;
                default:
                    if (current is not null && (!blankSinceItem || line.Indent > current.First.Indent))
                    {
                        current.More.Add(line);
                    }
                    else
                    {
                        current = null;
                        prose.Add(line);
                    }

                    break;
            }
        }

        // "1. run the tests 2. build the image" on one line reads as one item: its steps are numbered inline.
        if (list is [{ First.Numbered: true, More.Count: 0 } only] && SplitInlineNumbers(only.First.Raw) is { } inline)
        {
            for (var i = 0; i < inline.Count; i++)
            {
                items.Add(new DescriptionItem(inline[i], group, i > 0));
            }

            return;
        }

        if (list.Count > 0)
        {
            // Prose beside a list ("Steps:", a closing remark) is context; the items are the subtasks.
            // A numbered item after a numbered item is the next step; bullets are independent.
            for (var i = 0; i < list.Count; i++)
            {
                var text = list[i].Text();
                var stripped = StripSequenceWord(text, out var ordered);
                var numbered = i > 0 && list[i].First.Numbered && list[i - 1].First.Numbered;
                items.Add(new DescriptionItem(stripped, group, (ordered || numbered) && i > 0));
            }

            return;
        }

        var proseText = string.Join("\n", prose.Select(l => l.Raw)).Trim();
        if (proseText.Length > 0 && kind != SectionKind.Preamble)
        {
            var steps = SplitInlineNumbers(proseText) ?? SplitSequence(proseText);
            if (steps.Count >= 2)
            {
                for (var i = 0; i < steps.Count; i++)
                {
                    items.Add(new DescriptionItem(steps[i], group, i > 0));
                }
            }
            else
            {
                items.Add(new DescriptionItem(proseText, group, false));
            }
        }
        else if (proseText.Length == 0 && kind == SectionKind.Group && group is not null)
        {
            // A heading with nothing under it is a to-do of its own.
            items.Add(new DescriptionItem(group, group, false));
        }
    }

    private static string Dedent(string raw, int columns)
    {
        var i = 0;
        var removed = 0;
        while (i < raw.Length && removed < columns && raw[i] is ' ' or '\t')
        {
            removed += raw[i] == '\t' ? 4 : 1;
            i++;
        }

        return raw[i..].TrimEnd();
    }
}
