using System.Text.Json.Nodes;

namespace TaskFlow.Core.Templates.Evaluation;

// The scope and the remaining work budget of one render or evaluation.
internal sealed class EvaluationContext(JsonObject scope)
{
    private const int CharactersPerStep = 1024;

    private int _steps;

    public JsonObject Scope { get; } = scope;

    public int StepsTaken => _steps;

    public void Step() => Charge(1);

    public void Charge(int steps)
    {
        _steps += steps;
        if (_steps > TemplateLimits.MaxEvaluationSteps || _steps < 0)
        {
            throw new EvaluationFailedException(
                $"evaluation needed more than {TemplateLimits.MaxEvaluationSteps} steps; simplify the expression or the data it walks");
        }
    }

    // Accounts for a string about to be built, so text cannot grow without bound.
    public void ChargeText(long length)
    {
        CheckLength(length);
        Charge((int)(length / CharactersPerStep));
    }

    // Fails when a string being built would exceed the limit, without charging steps.
    public void CheckLength(long length)
    {
        if (length > TemplateLimits.MaxStringLength)
        {
            throw new EvaluationFailedException(
                $"the result would be {length} characters long; the limit is {TemplateLimits.MaxStringLength}");
        }
    }
}
