using System.Text.RegularExpressions;

namespace TaskFlow.Core.Decomposition;

internal static partial class DescriptionParser
{
    private const string AnyWord = @"first(?:ly)?|second(?:ly)?|third(?:ly)?|then|next|after[ \t]+that|afterwards?|finally|lastly|subsequently";
    private const string ClauseWord = @"then|next|after[ \t]+that|afterwards?|finally|lastly|subsequently";

    // Where a sequencing word ends: "First-time" and "Next.js" are no sequencing words.
    private const string WordEnd = @"(?=[\s,:;]|[.!?](?:\s|$)|$)";

    // A step starts after a sentence end (. ! ? ;) followed by any sequencing word, or after a
    // comma, a semicolon or "and" followed by a word that continues a sequence ("then", "finally").
    // The lookahead leaves the word in the step; SequenceWord strips it afterwards.
    [GeneratedRegex(@"(?<sentence>(?<=[.!?;])\s+(?=(?:and\s+)?(?:" + AnyWord + @")" + WordEnd + @"))|(?<clause>\s*[,;]\s*(?:and\s+)?(?=(?:" + ClauseWord + @")" + WordEnd + @")|\s+and\s+(?=(?:" + ClauseWord + @")" + WordEnd + @"))",
        RegexOptions.CultureInvariant | RegexOptions.IgnoreCase | RegexOptions.ExplicitCapture)]
    private static partial Regex StepBoundary();

    [GeneratedRegex(@"^\s*(?:and\s+)?(?<word>" + AnyWord + @")" + WordEnd + @"[\s,:]*", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase | RegexOptions.ExplicitCapture)]
    private static partial Regex SequenceWord();

    // "If the build fails, then ..." is a condition, not two steps.
    [GeneratedRegex(@"^(?:if|when|whenever|unless|once)\b", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex ConditionStart();

    [GeneratedRegex(@"\s+", RegexOptions.CultureInvariant)]
    private static partial Regex Whitespace();

    /// <summary>The steps of prose that sequencing words split, or one element (the text) when none do.</summary>
    private static List<string> SplitSequence(string prose)
    {
        var text = Whitespace().Replace(prose, " ").Trim();
        var pieces = new List<string>();
        var pieceStart = 0;
        foreach (Match boundary in StepBoundary().Matches(text))
        {
            var before = text[pieceStart..boundary.Index];
            var next = boundary.Index + boundary.Length;
            if (boundary.Groups["clause"].Success && IsThen(text, next) && ConditionStart().IsMatch(StripSequenceWord(LastSentence(before), out _)))
            {
                continue;
            }

            pieces.Add(before);
            pieceStart = next;
        }

        if (pieces.Count == 0)
        {
            return [prose];
        }

        pieces.Add(text[pieceStart..]);
        var steps = new List<string>(pieces.Count);
        foreach (var piece in pieces)
        {
            var step = StripSequenceWord(piece, out _).TrimEnd('.', ',', ';', ':', ' ');
            if (step.Length > 0)
            {
                steps.Add(Capitalise(step));
            }
        }

        return steps.Count >= 2 ? steps : [prose];
    }

    /// <summary>
    /// The text without a leading sequencing word; <paramref name="ordered"/> tells whether that
    /// word puts it after the one before ("then", "finally", "second" do; "first" does not).
    /// </summary>
    private static string StripSequenceWord(string text, out bool ordered)
    {
        ordered = false;
        var match = SequenceWord().Match(text);
        if (!match.Success || match.Length == text.Length)
        {
            return text;
        }

        ordered = !match.Groups["word"].Value.StartsWith("first", StringComparison.OrdinalIgnoreCase);
        return Capitalise(text[match.Length..]);
    }

    /// <summary>The text after the last sentence end (. ! ? ; and a space) in <paramref name="text"/>.</summary>
    private static string LastSentence(string text)
    {
        for (var i = text.Length - 2; i >= 0; i--)
        {
            if (text[i] is '.' or '!' or '?' or ';' && text[i + 1] == ' ')
            {
                return text[(i + 2)..];
            }
        }

        return text;
    }

    private static bool IsThen(string text, int at) =>
        string.Compare(text, at, "then", 0, 4, StringComparison.OrdinalIgnoreCase) == 0;

    private static string Capitalise(string text) =>
        text.Length > 0 && char.IsLower(text[0]) ? char.ToUpperInvariant(text[0]) + text[1..] : text;
}
