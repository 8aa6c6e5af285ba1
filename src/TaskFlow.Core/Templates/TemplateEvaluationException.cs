namespace TaskFlow.Core.Templates;

/// <summary>
/// A template or expression parsed fine but could not be evaluated against the given scope,
/// for example arithmetic on a string or a range that is too large.
/// </summary>
public sealed class TemplateEvaluationException : InvalidOperationException
{
    private const int MaxQuotedLength = 200;

    internal TemplateEvaluationException(string expression, string reason)
        : this(expression, reason, path: null, innerException: null)
    {
    }

    private TemplateEvaluationException(string expression, string reason, string? path, Exception? innerException)
        : base(BuildMessage(expression, reason, path), innerException)
    {
        Expression = expression;
        Reason = reason;
        Path = path;
    }

    /// <summary>The source text of the expression that failed (the part inside <c>{{ }}</c>).</summary>
    public string Expression { get; }

    /// <summary>What went wrong, without the expression, e.g. <c>division by zero</c>.</summary>
    public string Reason { get; }

    /// <summary>The JSON path of the failing string when it came from <see cref="TemplatedJson"/>; otherwise <c>null</c>.</summary>
    public string? Path { get; }

    internal TemplateEvaluationException WithPath(string path) => new(Expression, Reason, path, this);

    private static string BuildMessage(string expression, string reason, string? path)
    {
        var prefix = path is null ? "" : path + ": ";
        var quoted = expression.Length <= MaxQuotedLength ? expression : expression[..MaxQuotedLength] + "...";
        return $"{prefix}Cannot evaluate '{quoted}': {reason}.";
    }
}
