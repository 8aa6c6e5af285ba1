using TaskFlow.Core.Templates.Evaluation;

namespace TaskFlow.Core.Templates.Ast;

// a ?? b ?? c: the first operand that is not null (or missing); later ones are not evaluated.
internal sealed class CoalesceNode(int start, ExprNode[] operands) : ExprNode(start)
{
    public IReadOnlyList<ExprNode> Operands => operands;

    public override Value Evaluate(EvaluationContext context)
    {
        context.Step();
        for (var i = 0; i < operands.Length - 1; i++)
        {
            var value = operands[i].Evaluate(context);
            if (!value.IsNull)
            {
                return value;
            }
        }

        return operands[^1].Evaluate(context);
    }

    public override void CollectReferences(ReferenceCollector collector)
    {
        foreach (var operand in operands)
        {
            operand.CollectReferences(collector);
        }
    }
}
