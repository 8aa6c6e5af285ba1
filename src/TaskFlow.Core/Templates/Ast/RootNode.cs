using TaskFlow.Core.Templates.Evaluation;

namespace TaskFlow.Core.Templates.Ast;

// A first identifier such as input or nodes: a property of the scope, null when absent.
internal sealed class RootNode(int start, string name) : ExprNode(start)
{
    public string Name { get; } = name;

    public override Value Evaluate(EvaluationContext context)
    {
        context.Step();
        return context.Scope.TryGetPropertyValue(Name, out var node) ? Value.FromNode(node) : Value.Null;
    }

    public override void CollectReferences(ReferenceCollector collector) => collector.AddRoot(Name);
}
