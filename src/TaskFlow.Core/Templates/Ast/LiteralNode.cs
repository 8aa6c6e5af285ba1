using TaskFlow.Core.Templates.Evaluation;

namespace TaskFlow.Core.Templates.Ast;

// 3, -2.5, 'text', true, false, null.
internal sealed class LiteralNode(int start, Value value) : ExprNode(start)
{
    public Value Value { get; } = value;

    public override Value Evaluate(EvaluationContext context)
    {
        context.Step();
        return Value;
    }
}
