using TaskFlow.Core.Templates.Ast;
using TaskFlow.Core.Templates.Evaluation;

namespace TaskFlow.Core.Templates;

// A parsed expression with its source text. It turns internal evaluation failures into a
// TemplateEvaluationException that names the expression.
internal sealed class CompiledExpression
{
    public CompiledExpression(ExprNode root, string source)
    {
        Root = root;
        Source = source;
        var collector = new ReferenceCollector();
        root.CollectReferences(collector);
        References = collector.ToReferences();
    }

    public ExprNode Root { get; }

    // The expression as written, without braces and surrounding whitespace.
    public string Source { get; }

    public TemplateReferences References { get; }

    public Value Evaluate(EvaluationContext context)
    {
        try
        {
            return Root.Evaluate(context);
        }
        catch (EvaluationFailedException ex)
        {
            throw new TemplateEvaluationException(Source, ex.Reason);
        }
    }

    // The value as interpolated text, checked against the length limit given what is already built.
    public string EvaluateText(EvaluationContext context, int lengthSoFar)
    {
        try
        {
            var text = ValueText.ToText(Root.Evaluate(context), context);
            context.CheckLength((long)lengthSoFar + text.Length);
            return text;
        }
        catch (EvaluationFailedException ex)
        {
            throw new TemplateEvaluationException(Source, ex.Reason);
        }
    }
}
