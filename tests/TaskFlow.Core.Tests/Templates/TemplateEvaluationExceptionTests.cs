using TaskFlow.Core.Templates;

namespace TaskFlow.Core.Tests.Templates;

public class TemplateEvaluationExceptionTests
{
    [Fact]
    public void Message_NamesExpressionAndReason()
    {
        var error = TestScope.EvalError("1 / (input.count - 3)");

        Assert.Equal("1 / (input.count - 3)", error.Expression);
        Assert.Equal("division by zero in '/'", error.Reason);
        Assert.Equal("Cannot evaluate '1 / (input.count - 3)': division by zero in '/'.", error.Message);
        Assert.IsAssignableFrom<InvalidOperationException>(error);
    }

    [Fact]
    public void Message_VeryLongExpression_IsTruncated()
    {
        var expression = string.Join(" + ", Enumerable.Repeat("1", 200)) + " + 'a' - 1";

        var error = TestScope.EvalError(expression);

        Assert.StartsWith("Cannot evaluate '1 + 1 + ", error.Message, StringComparison.Ordinal);
        Assert.Contains("...': operator '-' needs two numbers, got string and number.", error.Message, StringComparison.Ordinal);
    }
}
