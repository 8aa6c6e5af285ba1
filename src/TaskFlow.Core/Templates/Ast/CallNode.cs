using TaskFlow.Core.Templates.Evaluation;

namespace TaskFlow.Core.Templates.Ast;

// name(args) for a function of the fixed whitelist, resolved and arity-checked at parse time.
internal sealed class CallNode(int start, BuiltinFunction function, ExprNode[] arguments) : ExprNode(start)
{
    public BuiltinFunction Function { get; } = function;

    public IReadOnlyList<ExprNode> Arguments => arguments;

    public override Value Evaluate(EvaluationContext context)
    {
        context.Step();
        return Function.Invoke(arguments, context);
    }

    public override void CollectReferences(ReferenceCollector collector)
    {
        foreach (var argument in arguments)
        {
            argument.CollectReferences(collector);
        }
    }
}
