namespace TaskFlow.Core.Templates;

/// <summary>
/// Fixed safety limits of the template language. They bound the work one template can cause,
/// so a workflow definition can never make the engine loop, recurse or allocate without end.
/// </summary>
public static class TemplateLimits
{
    /// <summary>Longest template text (in UTF-16 characters) that may contain placeholders.</summary>
    /// <remarks>Strings without any <c>{{</c> are plain literals and are not limited.</remarks>
    public const int MaxTemplateLength = 64 * 1024;

    /// <summary>Deepest nesting of parentheses, brackets, calls, unary operators and ternaries.</summary>
    public const int MaxNestingDepth = 64;

    /// <summary>Evaluation steps one render may take: one per expression node, item processed or KiB of text built.</summary>
    public const int MaxEvaluationSteps = 100_000;

    /// <summary>Most items <c>range(start, end)</c> may produce.</summary>
    public const int MaxRangeItems = 10_000;

    /// <summary>Longest string (in UTF-16 characters) an expression or an interpolated template may build.</summary>
    public const int MaxStringLength = 4 * 1024 * 1024;
}
