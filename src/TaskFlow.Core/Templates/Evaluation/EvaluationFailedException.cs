namespace TaskFlow.Core.Templates.Evaluation;

// Thrown deep inside evaluation, where the expression text is not known; the compiled
// expression catches it and throws a TemplateEvaluationException that names the expression.
internal sealed class EvaluationFailedException(string reason) : Exception(reason)
{
    public string Reason { get; } = reason;
}
