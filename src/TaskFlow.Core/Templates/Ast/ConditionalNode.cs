using TaskFlow.Core.Templates.Evaluation;

namespace TaskFlow.Core.Templates.Ast;

// condition ? whenTrue : whenFalse; only the chosen branch is evaluated.
internal sealed class ConditionalNode(int start, ExprNode condition, ExprNode whenTrue, ExprNode whenFalse) : ExprNode(start)
{
    public ExprNode Condition { get; } = condition;

    public ExprNode WhenTrue { get; } = whenTrue;

    public ExprNode WhenFalse { get; } = whenFalse;

    public override Value Evaluate(EvaluationContext context)
    {
        context.Step();
        return Condition.Evaluate(context).IsTruthy ? WhenTrue.Evaluate(context) : WhenFalse.Evaluate(context);
    }

    public override void CollectReferences(ReferenceCollector collector)
    {
        Condition.CollectReferences(collector);
        WhenTrue.CollectReferences(collector);
        WhenFalse.CollectReferences(collector);
    }
}
