using TaskFlow.Core.Templates;
using static TaskFlow.Core.Tests.Templates.TestScope;

namespace TaskFlow.Core.Tests.Templates.Evaluation;

public class OperatorsTests
{
    [Theory]
    [InlineData("1 + 2", "3")]
    [InlineData("input.count + input.price", "5.5")]
    [InlineData("10 - 4 - 3", "3")]
    [InlineData("2.5 * 4", "10")]
    [InlineData("7 / 2", "3.5")]
    [InlineData("1 / 4 * 4", "1")]
    [InlineData("1 / 3", "0.3333333333333333333333333333")]
    [InlineData("7 % 3", "1")]
    [InlineData("-7 % 3", "-1")]
    [InlineData("5.5 % 2", "1.5")]
    [InlineData("0.1 + 0.2", "0.3")]
    [InlineData("-input.count", "-3")]
    [InlineData("- -2", "2")]
    [InlineData("-(1 + 2)", "-3")]
    public void Arithmetic_Numbers_ComputesDecimalResult(string expression, string expected)
    {
        Assert.Equal(expected, Eval(expression));
    }

    [Theory]
    [InlineData("'a' + 'b'", "\"ab\"")]
    [InlineData("'n=' + 1.50", "\"n=1.5\"")]
    [InlineData("1 + '1'", "\"11\"")]
    [InlineData("'x' + null", "\"x\"")]
    [InlineData("'x' + true", "\"xtrue\"")]
    [InlineData("1 + 2 + 'x'", "\"3x\"")]
    [InlineData("'x' + 1 + 2", "\"x12\"")]
    [InlineData("'p' + input.price", "\"p2.5\"")]
    public void Add_WithString_Concatenates(string expression, string expected)
    {
        Assert.Equal(expected, Eval(expression));
    }

    [Fact]
    public void Add_StringAndArray_ConcatenatesCompactJson()
    {
        var result = TemplateExpression.Parse("'tags: ' + input.tags").Evaluate(Create())!;

        Assert.Equal("tags: [\"a\",\"b\"]", result.GetValue<string>());
    }

    [Theory]
    [InlineData("1 + 2 * 3", "7")]
    [InlineData("(1 + 2) * 3", "9")]
    [InlineData("10 - 2 * 3 - 1", "3")]
    [InlineData("2 * 3 % 4", "2")]
    [InlineData("1 + 2 > 2", "true")]
    [InlineData("1 < 2 == 2 < 3", "true")]
    [InlineData("true || false && false", "true")]
    [InlineData("(true || false) && false", "false")]
    [InlineData("!false && false", "false")]
    [InlineData("!(false && false)", "true")]
    [InlineData("input.missing ?? 1 + 1", "2")]
    [InlineData("input.missing ?? false || true", "true")]
    [InlineData("true ? 1 : 2 + 10", "1")]
    [InlineData("false ? 1 : true ? 2 : 3", "2")]
    [InlineData("false ? 1 : false ? 2 : 3", "3")]
    [InlineData("true ? false ? 1 : 2 : 3", "2")]
    [InlineData("input.nothing ?? null ?? 'last'", "\"last\"")]
    [InlineData("-2 * -3", "6")]
    [InlineData("!input.flag == false", "true")]
    public void Precedence_MixedOperators_FollowsUsualRules(string expression, string expected)
    {
        Assert.Equal(expected, Eval(expression));
    }

    [Theory]
    [InlineData("1 < 2", "true")]
    [InlineData("2 < 2", "false")]
    [InlineData("2 <= 2", "true")]
    [InlineData("3 > 2.5", "true")]
    [InlineData("2 >= 3", "false")]
    [InlineData("10 > 9", "true")]
    [InlineData("'10' > '9'", "false")]
    [InlineData("'b' > 'a'", "true")]
    [InlineData("'B' < 'a'", "true")]
    [InlineData("input.big > 1", "true")]
    [InlineData("-input.count < 0", "true")]
    public void Compare_NumbersNumericallyStringsOrdinally(string expression, string expected)
    {
        Assert.Equal(expected, Eval(expression));
    }

    [Theory]
    [InlineData("1 == 1.0", "true")]
    [InlineData("1 == '1'", "false")]
    [InlineData("1 != '1'", "true")]
    [InlineData("'a' == 'a'", "true")]
    [InlineData("'a' == 'A'", "false")]
    [InlineData("null == null", "true")]
    [InlineData("input.missing == null", "true")]
    [InlineData("input.nothing == null", "true")]
    [InlineData("0 == null", "false")]
    [InlineData("false == 0", "false")]
    [InlineData("true == true", "true")]
    [InlineData("input.tags == ['a', 'b']", "true")]
    [InlineData("input.tags == ['b', 'a']", "false")]
    [InlineData("input.tags != ['a']", "true")]
    [InlineData("input.obj == nodes.fetch.output", "false")]
    [InlineData("input.obj == input.obj", "true")]
    [InlineData("nodes.fetch.output.items[0] == nodes.fetch.output.items[0]", "true")]
    [InlineData("range(1, 3) == vars.list", "true")]
    [InlineData("input.big == input.big", "true")]
    public void Equality_ComparesDeeplyWithoutCoercion(string expression, string expected)
    {
        Assert.Equal(expected, Eval(expression));
    }

    [Fact]
    public void Equality_ObjectsWithDifferentPropertyOrder_AreEqual()
    {
        var scope = Parse("""{ "a": { "x": 1, "y": [1, { "z": null }] }, "b": { "y": [1, { "z": null }], "x": 1.0 }, "c": { "x": 1 } }""");

        Assert.Equal("true", Eval("a == b", scope));
        Assert.Equal("false", Eval("a == c", scope));
    }

    [Theory]
    [InlineData("!true", "false")]
    [InlineData("!0", "true")]
    [InlineData("!''", "true")]
    [InlineData("!input.tags", "false")]
    [InlineData("!input.missing", "true")]
    [InlineData("!!input.name", "true")]
    public void Not_UsesTruthiness(string expression, string expected)
    {
        Assert.Equal(expected, Eval(expression));
    }

    [Theory]
    [InlineData("1 && 'x'", "true")]
    [InlineData("input.empty && true", "false")]
    [InlineData("0 || ''", "false")]
    [InlineData("0 || 'x'", "true")]
    [InlineData("input.tags || false", "true")]
    public void Logical_ReturnsBooleans(string expression, string expected)
    {
        Assert.Equal(expected, Eval(expression));
    }

    [Theory]
    [InlineData("false && input.name * 2", "false")]
    [InlineData("true || input.name * 2", "true")]
    [InlineData("input.name ?? input.name * 2", "\"Ada\"")]
    [InlineData("true ? 1 : input.name * 2", "1")]
    [InlineData("false ? input.name * 2 : 2", "2")]
    public void ShortCircuit_SkipsFailingOperand(string expression, string expected)
    {
        Assert.Equal(expected, Eval(expression));
    }

    [Theory]
    [InlineData("input.missing ?? 'x'", "\"x\"")]
    [InlineData("input.nothing ?? 5", "5")]
    [InlineData("input.zero ?? 5", "0")]
    [InlineData("input.empty ?? 'x'", "\"\"")]
    [InlineData("input.flag ?? 'x'", "true")]
    public void Coalesce_ReplacesOnlyNull(string expression, string expected)
    {
        Assert.Equal(expected, Eval(expression));
    }

    [Theory]
    [InlineData("input.count ? 'yes' : 'no'", "\"yes\"")]
    [InlineData("input.zero ? 'yes' : 'no'", "\"no\"")]
    [InlineData("input.tags ? input.tags[0] : null", "\"a\"")]
    public void Conditional_ChoosesBranchByTruthiness(string expression, string expected)
    {
        Assert.Equal(expected, Eval(expression));
    }

    [Theory]
    [InlineData("input.name * 2", "operator '*' needs two numbers, got string and number")]
    [InlineData("input.name - 1", "operator '-' needs two numbers, got string and number")]
    [InlineData("1 / 0", "division by zero in '/'")]
    [InlineData("1 % 0", "division by zero in '%'")]
    [InlineData("null + 1", "operator '+' needs two numbers or a string, got null and number")]
    [InlineData("input.tags + input.tags", "operator '+' needs two numbers or a string, got array and array")]
    [InlineData("true + 1", "operator '+' needs two numbers or a string, got boolean and number")]
    [InlineData("-input.name", "unary '-' needs a number, got string")]
    [InlineData("-input.missing", "unary '-' needs a number, got null")]
    [InlineData("1 < 'a'", "operator '<' needs two numbers or two strings, got number and string")]
    [InlineData("input.missing >= 1", "operator '>=' needs two numbers or two strings, got null and number")]
    [InlineData("input.big + 1", "the number 1e300 is outside the supported range (about ±7.9e28)")]
    [InlineData("79228162514264337593543950335 * 2", "the result of '*' is outside the supported range (about ±7.9e28)")]
    public void WrongTypes_ThrowEvaluationError(string expression, string reason)
    {
        Assert.Equal(reason, EvalError(expression).Reason);
    }
}
