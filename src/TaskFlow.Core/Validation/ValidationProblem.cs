namespace TaskFlow.Core.Validation;

/// <summary>One thing wrong with a definition.</summary>
/// <param name="Code">Stable machine-readable code, e.g. <c>edge.dangling</c>.</param>
/// <param name="Target">What it is about: <c>node 'a'</c>, <c>edge 'a->b'</c>, a JSON path, or <c>$</c>.</param>
/// <param name="Message">What is wrong and how to fix it.</param>
public sealed record ValidationProblem(string Code, string Target, string Message)
{
    public override string ToString() => Message;
}
