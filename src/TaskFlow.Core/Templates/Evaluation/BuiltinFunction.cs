using TaskFlow.Core.Templates.Ast;

namespace TaskFlow.Core.Templates.Evaluation;

// Receives unevaluated arguments so that functions such as default can skip work.
internal delegate Value FunctionBody(ExprNode[] arguments, EvaluationContext context);

// One function of the fixed whitelist.
internal sealed class BuiltinFunction(string name, int arity, FunctionBody body)
{
    public string Name { get; } = name;

    public int Arity { get; } = arity;

    public Value Invoke(ExprNode[] arguments, EvaluationContext context) => body(arguments, context);
}
