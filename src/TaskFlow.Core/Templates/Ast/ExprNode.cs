using TaskFlow.Core.Templates.Evaluation;

namespace TaskFlow.Core.Templates.Ast;

// A node of a parsed expression. Nodes are immutable, so one tree serves concurrent renders.
internal abstract class ExprNode(int start)
{
    // 0-based index of the node's first character in the template text.
    public int Start { get; } = start;

    public abstract Value Evaluate(EvaluationContext context);

    public virtual void CollectReferences(ReferenceCollector collector)
    {
    }
}
