using TaskFlow.Core.Templates.Evaluation;

namespace TaskFlow.Core.Templates.Ast;

// !x (truthiness negated, always a boolean) or -x (numbers only).
internal sealed class UnaryNode(int start, UnaryOperator op, ExprNode operand) : ExprNode(start)
{
    public UnaryOperator Operator { get; } = op;

    public ExprNode Operand { get; } = operand;

    public override Value Evaluate(EvaluationContext context)
    {
        context.Step();
        var value = Operand.Evaluate(context);
        return Operator == UnaryOperator.Not ? Value.FromBoolean(!value.IsTruthy) : Operators.Negate(value);
    }

    public override void CollectReferences(ReferenceCollector collector) => Operand.CollectReferences(collector);
}
