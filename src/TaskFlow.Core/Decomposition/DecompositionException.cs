using TaskFlow.Core.Validation;

namespace TaskFlow.Core.Decomposition;

/// <summary>A task could not be decomposed; <see cref="Problems"/> lists every reason.</summary>
public sealed class DecompositionException(IReadOnlyList<ValidationProblem> problems)
    : Exception(BuildMessage(problems))
{
    public IReadOnlyList<ValidationProblem> Problems { get; } = problems;

    private static string BuildMessage(IReadOnlyList<ValidationProblem> problems) =>
        problems.Count == 1
            ? $"The task cannot be decomposed: {problems[0].Message}"
            : $"The task cannot be decomposed ({problems.Count} problems):{Environment.NewLine}" +
              string.Join(Environment.NewLine, problems.Select(p => "- " + p.Message));
}
