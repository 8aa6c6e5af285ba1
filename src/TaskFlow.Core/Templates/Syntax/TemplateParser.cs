namespace TaskFlow.Core.Templates.Syntax;

// Splits template text into literal text and parsed {{ expression }} placeholders.
internal static class TemplateParser
{
    public const string Open = "{{";

    public static TemplateSegment[] Parse(string text)
    {
        if (text.Length > TemplateLimits.MaxTemplateLength)
        {
            throw TemplateSyntaxException.At(text, TemplateLimits.MaxTemplateLength,
                $"Template is {text.Length} characters long; the limit is {TemplateLimits.MaxTemplateLength}");
        }

        var segments = new List<TemplateSegment>();
        var position = 0;
        while (position < text.Length)
        {
            var open = text.IndexOf(Open, position, StringComparison.Ordinal);
            if (open < 0)
            {
                segments.Add(new TemplateSegment(position, text[position..], null));
                break;
            }

            if (open > position)
            {
                segments.Add(new TemplateSegment(position, text[position..open], null));
            }

            var root = ExpressionParser.ParsePlaceholder(text, open, out var end);
            var source = text[(open + Open.Length)..(end - 2)].Trim();
            segments.Add(new TemplateSegment(open, null, new CompiledExpression(root, source)));
            position = end;
        }

        return [.. segments];
    }
}
