namespace TaskFlow.Core.Activities;

/// <summary>
/// The name a person reads for an activity type, made from the type itself so that every type,
/// a plug-in's too, has one without being given one: <c>http.request</c> is "HTTP request",
/// <c>setVariable</c> is "Set variable", <c>foreach</c> is "For each".
/// </summary>
public static class ActivityDisplayName
{
    // Words written otherwise than by capitalising the first letter.
    private static readonly Dictionary<string, string> Words = new(StringComparer.OrdinalIgnoreCase)
    {
        ["http"] = "HTTP",
        ["mcp"] = "MCP",
        ["json"] = "JSON",
        ["url"] = "URL",
        ["api"] = "API",
        ["id"] = "ID",
        ["foreach"] = "for each",
        ["noop"] = "no-op",
        ["exec"] = "execute",
    };

    public static string Of(string type)
    {
        var words = new List<string>();
        var word = new System.Text.StringBuilder();
        foreach (var c in type)
        {
            // Dots, dashes and underscores separate words, and so does a capital in camelCase.
            if (c is '.' or '-' or '_' or ' ' || (char.IsUpper(c) && word.Length > 0 && !char.IsUpper(word[^1])))
            {
                Flush();
            }

            if (c is not ('.' or '-' or '_' or ' '))
            {
                word.Append(c);
            }
        }

        Flush();
        if (words.Count == 0)
        {
            return type;
        }

        var text = string.Join(' ', words);
        return char.ToUpperInvariant(text[0]) + text[1..];

        void Flush()
        {
            if (word.Length > 0)
            {
                var found = word.ToString();
                words.Add(Words.TryGetValue(found, out var written) ? written : found.ToLowerInvariant());
                word.Clear();
            }
        }
    }
}
