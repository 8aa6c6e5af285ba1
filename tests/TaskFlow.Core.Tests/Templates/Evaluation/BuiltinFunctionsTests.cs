using System.Text.Json.Nodes;
using TaskFlow.Core.Templates;
using static TaskFlow.Core.Tests.Templates.TestScope;

namespace TaskFlow.Core.Tests.Templates.Evaluation;

public class BuiltinFunctionsTests
{
    [Theory]
    [InlineData("length('abc')", "3")]
    [InlineData("length('')", "0")]
    [InlineData("length(input.tags)", "2")]
    [InlineData("length(input.obj)", "2")]
    [InlineData("length([])", "0")]
    [InlineData("length(input.missing)", "0")]
    [InlineData("length(range(1, 5))", "5")]
    public void Length_CountsCharactersItemsOrProperties(string expression, string expected)
    {
        Assert.Equal(expected, Eval(expression));
    }

    [Theory]
    [InlineData("length(1)", "length() expects a string, array or object, got number")]
    [InlineData("length(true)", "length() expects a string, array or object, got boolean")]
    public void Length_WrongType_Throws(string expression, string reason)
    {
        Assert.Equal(reason, EvalError(expression).Reason);
    }

    [Theory]
    [InlineData("range(1, 3)", "[1,2,3]")]
    [InlineData("range(-1, 1)", "[-1,0,1]")]
    [InlineData("range(5, 5)", "[5]")]
    [InlineData("range(3, 1)", "[]")]
    [InlineData("range(0, index)", "[0,1,2]")]
    [InlineData("range(1.0, 2)", "[1,2]")]
    public void Range_InclusiveWholeNumbers(string expression, string expected)
    {
        Assert.Equal(expected, Eval(expression));
    }

    [Fact]
    public void Range_AtLimit_Produces10000Items()
    {
        var result = TemplateExpression.Parse("range(1, 10000)").Evaluate([])!.AsArray();

        Assert.Equal(10_000, result.Count);
        Assert.Equal(10_000, result[^1]!.GetValue<int>());
    }

    [Theory]
    [InlineData("range(1, 10001)", "range(1, 10001) would produce 10001 items; the limit is 10000")]
    [InlineData("range(-1e20, 1e20)", "range(-100000000000000000000, 100000000000000000000) would produce 200000000000000000001 items; the limit is 10000")]
    [InlineData("range(1.5, 3)", "range() expects a whole number as start, got 1.5")]
    [InlineData("range(1, 'x')", "range() expects a whole number as end, got string")]
    [InlineData("range(null, 3)", "range() expects a whole number as start, got null")]
    public void Range_InvalidOrTooLarge_Throws(string expression, string reason)
    {
        Assert.Equal(reason, EvalError(expression).Reason);
    }

    [Theory]
    [InlineData("upper('abc')", "ABC")]
    [InlineData("upper(input.unicode)", "HÉLLO <B>")]
    [InlineData("lower('AbC')", "abc")]
    public void UpperLower_ChangeCaseInvariantly(string expression, string expected)
    {
        Assert.Equal(expected, TemplateExpression.Parse(expression).Evaluate(Create())!.GetValue<string>());
    }

    [Theory]
    [InlineData("upper(input.missing)")]
    [InlineData("lower(null)")]
    public void UpperLower_Null_ReturnsNull(string expression)
    {
        Assert.Equal("null", Eval(expression));
    }

    [Theory]
    [InlineData("upper(1)", "upper() expects a string, got number")]
    [InlineData("lower(input.tags)", "lower() expects a string, got array")]
    public void UpperLower_WrongType_Throws(string expression, string reason)
    {
        Assert.Equal(reason, EvalError(expression).Reason);
    }

    [Theory]
    [InlineData("string(1.50)", "\"1.5\"")]
    [InlineData("string(input.price)", "\"2.5\"")]
    [InlineData("string(true)", "\"true\"")]
    [InlineData("string(null)", "\"\"")]
    [InlineData("string('s')", "\"s\"")]
    public void String_ConvertsLikeInterpolation(string expression, string expected)
    {
        Assert.Equal(expected, Eval(expression));
    }

    [Theory]
    [InlineData("string(input.obj)", """{"x":1,"y":2}""")]
    [InlineData("string([1, 'a'])", """[1,"a"]""")]
    public void String_ObjectsAndArrays_BecomeCompactJson(string expression, string expected)
    {
        Assert.Equal(expected, TemplateExpression.Parse(expression).Evaluate(Create())!.GetValue<string>());
    }

    [Theory]
    [InlineData("number('42')", "42")]
    [InlineData("number(' -2.5 ')", "-2.5")]
    [InlineData("number('1e3')", "1000")]
    [InlineData("number(7)", "7")]
    [InlineData("number(true)", "1")]
    [InlineData("number(false)", "0")]
    [InlineData("number(input.missing)", "null")]
    [InlineData("number('3') + 1", "4")]
    public void Number_ConvertsToNumber(string expression, string expected)
    {
        Assert.Equal(expected, Eval(expression));
    }

    [Theory]
    [InlineData("number('abc')", "number() cannot convert the string 'abc' to a number")]
    [InlineData("number('1,5')", "number() cannot convert the string '1,5' to a number")]
    [InlineData("number(input.tags)", "number() expects a string, number or boolean, got array")]
    public void Number_Unconvertible_Throws(string expression, string reason)
    {
        Assert.Equal(reason, EvalError(expression).Reason);
    }

    [Theory]
    [InlineData("join(input.tags, ', ')", "\"a, b\"")]
    [InlineData("join(range(1, 3), '')", "\"123\"")]
    [InlineData("join([1, null, true, 'x', [2]], '|')", "\"1||true|x|[2]\"")]
    [InlineData("join([], ',')", "\"\"")]
    [InlineData("join(input.missing, ',')", "null")]
    public void Join_ConcatenatesItemsAsText(string expression, string expected)
    {
        Assert.Equal(expected, Eval(expression));
    }

    [Theory]
    [InlineData("join('abc', ',')", "join() expects an array, got string")]
    [InlineData("join(input.tags, 1)", "join() expects a string as separator, got number")]
    public void Join_WrongTypes_Throw(string expression, string reason)
    {
        Assert.Equal(reason, EvalError(expression).Reason);
    }

    [Fact]
    public void Join_HugeResult_FailsBeforeAllocating()
    {
        var scope = new JsonObject { ["sep"] = new string('-', 60_000) };

        var error = Assert.Throws<TemplateEvaluationException>(
            () => TemplateExpression.Parse("join(range(1, 10000), sep)").Evaluate(scope));

        Assert.Contains("the limit is 4194304", error.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("contains(input.tags, 'a')", "true")]
    [InlineData("contains(input.tags, 'c')", "false")]
    [InlineData("contains(vars.list, 2.0)", "true")]
    [InlineData("contains(vars.list, '2')", "false")]
    [InlineData("contains(nodes.fetch.output.items, item.id == 7 ? nodes.fetch.output.items[1] : null)", "true")]
    [InlineData("contains('hello world', 'lo w')", "true")]
    [InlineData("contains('hello', 'H')", "false")]
    [InlineData("contains('a1', 1)", "true")]
    [InlineData("contains('abc', null)", "false")]
    [InlineData("contains(input.obj, 'x')", "true")]
    [InlineData("contains(input.obj, 'z')", "false")]
    [InlineData("contains(input.missing, 'a')", "false")]
    public void Contains_SearchesArraysStringsAndObjectKeys(string expression, string expected)
    {
        Assert.Equal(expected, Eval(expression));
    }

    [Fact]
    public void Contains_Number_Throws()
    {
        Assert.Equal("contains() expects an array, string or object, got number", EvalError("contains(1, 1)").Reason);
    }

    [Theory]
    [InlineData("default(input.missing, 'x')", "\"x\"")]
    [InlineData("default(input.nothing, 1)", "1")]
    [InlineData("default(input.zero, 1)", "0")]
    [InlineData("default(input.empty, 'x')", "\"\"")]
    [InlineData("default(input.name, input.name * 2)", "\"Ada\"")]
    public void Default_ReplacesNullOrMissingOnly(string expression, string expected)
    {
        Assert.Equal(expected, Eval(expression));
    }

    [Theory]
    [InlineData("json(input.obj)", """{"x":1,"y":2}""")]
    [InlineData("json('a\"b')", "\"a\\\"b\"")]
    [InlineData("json(null)", "null")]
    [InlineData("json(2.50 * 2)", "5")]
    [InlineData("json(input.big)", "1e300")]
    [InlineData("json([1, 'x', true, null, [input.tags]])", """[1,"x",true,null,[["a","b"]]]""")]
    [InlineData("json(input.unicode)", "\"héllo <b>\"")]
    public void Json_WritesCompactJsonText(string expression, string expectedText)
    {
        var result = TemplateExpression.Parse(expression).Evaluate(Create())!;

        Assert.Equal(expectedText, result.GetValue<string>());
    }

    [Theory]
    [InlineData("keys(input.obj)", """["x","y"]""")]
    [InlineData("keys(item)", """["id"]""")]
    [InlineData("keys(input.missing)", "null")]
    [InlineData("length(keys(nodes))", "2")]
    public void Keys_ListsPropertyNamesInOrder(string expression, string expected)
    {
        Assert.Equal(expected, Eval(expression));
    }

    [Fact]
    public void Keys_Array_Throws()
    {
        Assert.Equal("keys() expects an object, got array", EvalError("keys(input.tags)").Reason);
    }
}
