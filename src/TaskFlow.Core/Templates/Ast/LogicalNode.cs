using TaskFlow.Core.Templates.Evaluation;

namespace TaskFlow.Core.Templates.Ast;

// a && b && c or a || b || c: short-circuits and yields a boolean by truthiness.
internal sealed class LogicalNode(int start, bool isAnd, ExprNode[] operands) : ExprNode(start)
{
    public bool IsAnd { get; } = isAnd;

    public IReadOnlyList<ExprNode> Operands => operands;

    public override Value Evaluate(EvaluationContext context)
    {
        context.Step();
        foreach (var operand in operands)
        {
            // && stops at the first falsy operand, || at the first truthy one.
            if (operand.Evaluate(context).IsTruthy != IsAnd)
            {
                return Value.FromBoolean(!IsAnd);
            }
        }

        return Value.FromBoolean(IsAnd);
    }

    public override void CollectReferences(ReferenceCollector collector)
    {
        foreach (var operand in operands)
        {
            operand.CollectReferences(collector);
        }
    }
}
