namespace TaskFlow.Core.Templates.Ast;

internal enum UnaryOperator
{
    Not,
    Negate,
}
