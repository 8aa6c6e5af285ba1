using TaskFlow.Core.Templates.Evaluation;

namespace TaskFlow.Core.Templates.Ast;

// A left-associative chain of operators of one precedence level, a + b - c, evaluated in a loop
// so that a long chain does not deepen the tree.
internal sealed class BinaryNode(int start, ExprNode first, BinaryOperator[] operators, ExprNode[] operands) : ExprNode(start)
{
    public ExprNode First { get; } = first;

    public IReadOnlyList<BinaryOperator> Operators => operators;

    // The right-hand operands; Operands[i] follows Operators[i].
    public IReadOnlyList<ExprNode> Operands => operands;

    public override Value Evaluate(EvaluationContext context)
    {
        context.Step();
        var result = First.Evaluate(context);
        for (var i = 0; i < operators.Length; i++)
        {
            result = Evaluation.Operators.Apply(operators[i], result, operands[i].Evaluate(context), context);
        }

        return result;
    }

    public override void CollectReferences(ReferenceCollector collector)
    {
        First.CollectReferences(collector);
        foreach (var operand in operands)
        {
            operand.CollectReferences(collector);
        }
    }
}
