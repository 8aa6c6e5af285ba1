namespace TaskFlow.Core.Templates.Syntax;

// Literal text or a placeholder of a template, starting at Start in its text.
internal readonly record struct TemplateSegment(int Start, string? Literal, CompiledExpression? Expression)
{
    public bool IsLiteral => Expression is null;
}
