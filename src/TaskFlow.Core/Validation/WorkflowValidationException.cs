namespace TaskFlow.Core.Validation;

/// <summary>A definition failed validation; <see cref="Problems"/> lists every problem found.</summary>
public sealed class WorkflowValidationException(IReadOnlyList<ValidationProblem> problems)
    : Exception(BuildMessage(problems))
{
    public IReadOnlyList<ValidationProblem> Problems { get; } = problems;

    private static string BuildMessage(IReadOnlyList<ValidationProblem> problems) =>
        problems.Count == 1
            ? $"The workflow definition is invalid: {problems[0].Message}"
            : $"The workflow definition is invalid ({problems.Count} problems):{Environment.NewLine}" +
              string.Join(Environment.NewLine, problems.Select(p => "- " + p.Message));
}
