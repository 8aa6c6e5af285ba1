using TaskFlow.Core.Templates.Evaluation;

namespace TaskFlow.Core.Templates.Ast;

// [a, b, 'c'].
internal sealed class ArrayNode(int start, ExprNode[] items) : ExprNode(start)
{
    public IReadOnlyList<ExprNode> Items => items;

    public override Value Evaluate(EvaluationContext context)
    {
        context.Step();
        var values = new Value[items.Length];
        for (var i = 0; i < items.Length; i++)
        {
            values[i] = items[i].Evaluate(context);
        }

        return Value.FromArray(values);
    }

    public override void CollectReferences(ReferenceCollector collector)
    {
        foreach (var item in items)
        {
            item.CollectReferences(collector);
        }
    }
}
