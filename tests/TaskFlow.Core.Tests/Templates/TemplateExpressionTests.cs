using System.Text.Json.Nodes;
using TaskFlow.Core.Templates;

namespace TaskFlow.Core.Tests.Templates;

public class TemplateExpressionTests
{
    [Theory]
    [InlineData("nodes.fetch.output.status == 200")]
    [InlineData("{{ nodes.fetch.output.status == 200 }}")]
    [InlineData("  {{nodes.fetch.output.status == 200}}  ")]
    public void Parse_WithOrWithoutBraces_EvaluatesSameExpression(string text)
    {
        var expression = TemplateExpression.Parse(text);

        Assert.True(expression.EvaluateCondition(TestScope.Create()));
        Assert.Equal("true", expression.Evaluate(TestScope.Create())!.ToJsonString());
        Assert.Equal(text, expression.Text);
    }

    [Fact]
    public void Parse_TextAroundPlaceholder_ThrowsAtTheText()
    {
        var error = Assert.Throws<TemplateSyntaxException>(() => TemplateExpression.Parse("{{ a }} b"));

        Assert.Equal(9, error.Column);
        Assert.StartsWith("Expected one '{{ expression }}' with no text around it at column 9", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_TwoPlaceholders_ThrowsAtTheSecond()
    {
        var error = Assert.Throws<TemplateSyntaxException>(() => TemplateExpression.Parse("{{ a }} {{ b }}"));

        Assert.Equal(9, error.Column);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void Parse_Empty_ThrowsEmptyExpression(string text)
    {
        var error = Assert.Throws<TemplateSyntaxException>(() => TemplateExpression.Parse(text));

        Assert.Equal("Empty expression", error.Reason);
        Assert.Equal(1, error.Column);
    }

    [Fact]
    public void Parse_BareExpressionWithTrailingToken_ThrowsAtToken()
    {
        var error = Assert.Throws<TemplateSyntaxException>(() => TemplateExpression.Parse("a.b > 1 2"));

        Assert.Equal("Unexpected '2' at column 9 in 'a.b > 1 2'.", error.Message);
    }

    [Fact]
    public void Parse_BareExpressionCannotUseCloseBraces_Throws()
    {
        var error = Assert.Throws<TemplateSyntaxException>(() => TemplateExpression.Parse("a }}"));

        Assert.Equal("Unexpected '}'", error.Reason);
        Assert.Equal(3, error.Column);
    }

    [Fact]
    public void Parse_TooLongBareExpression_Throws()
    {
        var text = string.Join(" + ", Enumerable.Repeat("1", 30_000));

        var error = Assert.Throws<TemplateSyntaxException>(() => TemplateExpression.Parse(text));

        Assert.Contains("the limit is 65536", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_LongFlatChain_IsNotANestingProblem()
    {
        var text = string.Join(" + ", Enumerable.Repeat("1", 5_000));

        Assert.Equal("5000", TestScope.Eval(text));
    }

    [Theory]
    [InlineData("input.count > 2", true)]
    [InlineData("input.count > 3", false)]
    [InlineData("input.missing", false)]
    [InlineData("input.tags", true)]
    [InlineData("input.empty", false)]
    [InlineData("input.obj", true)]
    [InlineData("output.ok && nodes.fetch.output.body == 'ok'", true)]
    public void EvaluateCondition_UsesTruthiness(string text, bool expected)
    {
        Assert.Equal(expected, TemplateExpression.Parse(text).EvaluateCondition(TestScope.Create()));
    }

    [Fact]
    public void Evaluate_MissingValue_ReturnsNull()
    {
        Assert.Null(TemplateExpression.Parse("input.missing.deeper[3]").Evaluate(TestScope.Create()));
    }

    [Fact]
    public void Evaluate_ScopeObject_ReturnsDetachedClone()
    {
        var scope = TestScope.Create();

        var result = TemplateExpression.Parse("nodes.fetch.output").Evaluate(scope)!;

        Assert.Null(result.Parent);
        Assert.NotSame(scope["nodes"]!["fetch"]!["output"], result);
        Assert.Equal(200, result["status"]!.GetValue<int>());
    }

    [Fact]
    public void Evaluate_Error_NamesExpression()
    {
        var error = Assert.Throws<TemplateEvaluationException>(
            () => TemplateExpression.Parse("{{ input.tags.length }}").Evaluate(TestScope.Create()));

        Assert.Equal("input.tags.length", error.Expression);
        Assert.Equal(
            "Cannot evaluate 'input.tags.length': cannot read member 'length' of an array, only objects have members; use length(x).",
            error.Message);
    }

    [Fact]
    public void EvaluateCondition_Error_Throws()
    {
        var expression = TemplateExpression.Parse("input.name > 1");

        var error = Assert.Throws<TemplateEvaluationException>(() => expression.EvaluateCondition(TestScope.Create()));

        Assert.Equal("operator '>' needs two numbers or two strings, got string and number", error.Reason);
    }

    [Fact]
    public void ReferencedNodeIdsAndRoots_FromCondition_AreCollected()
    {
        var expression = TemplateExpression.Parse("nodes.check.output.ok && nodes['build-1'].output.code == vars.expected");

        Assert.Equal(["build-1", "check"], expression.ReferencedNodeIds.Order());
        Assert.Equal(["nodes", "vars"], expression.ReferencedRoots.Order());
    }

    [Fact]
    public void Evaluate_EmptyScope_TreatsRootsAsMissing()
    {
        Assert.Equal("\"x\"", TestScope.Eval("input.a ?? 'x'", new JsonObject()));
    }
}
