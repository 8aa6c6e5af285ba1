using TaskFlow.Core.Templates;
using TaskFlow.Core.Templates.Ast;
using TaskFlow.Core.Templates.Syntax;
using static TaskFlow.Core.Tests.Templates.TestScope;

namespace TaskFlow.Core.Tests.Templates.Syntax;

public class ExpressionParserTests
{
    [Fact]
    public void ParseBare_Precedence_BuildsExpectedTree()
    {
        // a || b && c == 1 + 2 * 3
        //   Logical(||)
        //   ├── a
        //   └── Logical(&&)
        //       ├── b
        //       └── Binary(==)
        //           ├── c
        //           └── Binary(+)
        //               ├── 1
        //               └── Binary(*) 2 3
        var root = Assert.IsType<LogicalNode>(ExpressionParser.ParseBare("a || b && c == 1 + 2 * 3"));

        Assert.False(root.IsAnd);
        var and = Assert.IsType<LogicalNode>(root.Operands[1]);
        Assert.True(and.IsAnd);
        var equality = Assert.IsType<BinaryNode>(and.Operands[1]);
        Assert.Equal([BinaryOperator.Equal], equality.Operators);
        var sum = Assert.IsType<BinaryNode>(equality.Operands[0]);
        Assert.Equal([BinaryOperator.Add], sum.Operators);
        var product = Assert.IsType<BinaryNode>(sum.Operands[0]);
        Assert.Equal([BinaryOperator.Multiply], product.Operators);
    }

    [Fact]
    public void ParseBare_SameLevelChain_IsOneFlatNode()
    {
        var node = Assert.IsType<BinaryNode>(ExpressionParser.ParseBare("1 - 2 + 3 - 4"));

        Assert.Equal([BinaryOperator.Subtract, BinaryOperator.Add, BinaryOperator.Subtract], node.Operators);
        Assert.Equal("-2", Eval("1 - 2 + 3 - 4"));
    }

    [Fact]
    public void ParseBare_NegativeNumber_FoldsIntoLiteral()
    {
        var node = Assert.IsType<LiteralNode>(ExpressionParser.ParseBare("-2.5"));

        Assert.Equal(-2.5m, node.Value.AsNumber);
    }

    [Fact]
    public void ParseBare_LongPath_IsOnePathNode()
    {
        var node = Assert.IsType<PathNode>(ExpressionParser.ParseBare("a.b[0]['c'].d"));

        Assert.Equal("a", Assert.IsType<RootNode>(node.Target).Name);
        Assert.Equal(4, node.Segments.Count);
        Assert.Equal("d", node.Segments[3].Name);
    }

    [Theory]
    [InlineData("{{ input.a) }}", 11, "Unexpected ')'")]
    [InlineData("{{ }}", 1, "Empty placeholder")]
    [InlineData("x {{ input.a", 3, "Unclosed '{{'; expected '}}'")]
    [InlineData("{{ 1 + }}", 8, "Expected an expression but found '}}'")]
    [InlineData("{{ (1 + 2 }}", 11, "Expected ')' but found '}}'")]
    [InlineData("{{ a[1 }}", 8, "Expected ']' but found '}}'")]
    [InlineData("{{ a. }}", 7, "Expected a member name after '.' but found '}}'")]
    [InlineData("{{ a.0 }}", 6, "Expected a member name after '.' but found '0'")]
    [InlineData("{{ a b }}", 6, "Unexpected 'b'")]
    [InlineData("{{ a ? b }}", 10, "Expected ':' but found '}}'")]
    [InlineData("{{ [1, 2 }}", 10, "Expected ',' or ']' but found '}}'")]
    [InlineData("{{ [1, ] }}", 8, "Expected an expression but found ']'")]
    [InlineData("{{ upper('a' 'b') }}", 14, "Expected ',' or ')' but found ''b''")]
    [InlineData("{{ foo(1) }}", 4, "Unknown function 'foo'; the functions are contains, default, join, json, keys, length, lower, number, range, string, upper")]
    [InlineData("{{ range(1) }}", 4, "Function 'range' takes 2 arguments but was given 1")]
    [InlineData("{{ upper() }}", 4, "Function 'upper' takes 1 argument but was given 0")]
    [InlineData("{{ a | upper }}", 6, "Unexpected '|'; pipe filters are not supported, call a function such as upper(x) instead")]
    [InlineData("{{ {{ a }} }}", 4, "Unexpected '{'")]
    [InlineData("ok {{ 1 }} then {{ 'open", 20, "Unterminated string")]
    [InlineData("{{ a }}{{ ) }}", 11, "Expected an expression but found ')'")]
    [InlineData("{{ 1 +", 1, "Unclosed '{{'; expected '}}'")]
    public void ParsePlaceholder_InvalidSyntax_ReportsReasonAndColumn(string template, int column, string reason)
    {
        var error = SyntaxError(template);

        Assert.Equal(reason, error.Reason);
        Assert.Equal(column, error.Column);
        Assert.Equal($"{reason} at column {column} in '{template}'.", error.Message);
    }

    [Fact]
    public void ParseBare_EndTooEarly_ReportsEndOfExpression()
    {
        var error = Assert.Throws<TemplateSyntaxException>(() => ExpressionParser.ParseBare("1 +"));

        Assert.Equal("Unexpected end of expression", error.Reason);
        Assert.Equal(4, error.Column);
    }

    [Fact]
    public void ParseBare_NestingAtLimit_IsAccepted()
    {
        // The top-level expression is level 1, so 63 parentheses reach the limit of 64.
        var text = new string('(', 63) + "1" + new string(')', 63);

        Assert.Equal("1", Eval(text));
    }

    [Theory]
    [InlineData(64, '(', ')')]
    [InlineData(64, '[', ']')]
    public void ParseBare_NestingOverLimit_Throws(int levels, char open, char close)
    {
        var text = new string(open, levels) + "1" + new string(close, levels);

        var error = Assert.Throws<TemplateSyntaxException>(() => ExpressionParser.ParseBare(text));

        Assert.Equal("Expression is nested more than 64 levels deep", error.Reason);
        Assert.Equal(65, error.Column);
    }

    [Fact]
    public void ParseBare_DeepUnaryChain_Throws()
    {
        var error = Assert.Throws<TemplateSyntaxException>(() => ExpressionParser.ParseBare(new string('!', 10_000) + "true"));

        Assert.Equal("Expression is nested more than 64 levels deep", error.Reason);
    }

    [Fact]
    public void ParseBare_DeepTernaryChain_Throws()
    {
        var text = string.Concat(Enumerable.Repeat("a ? 1 : ", 100)) + "2";

        var error = Assert.Throws<TemplateSyntaxException>(() => ExpressionParser.ParseBare(text));

        Assert.Equal("Expression is nested more than 64 levels deep", error.Reason);
    }

    [Fact]
    public void ParseBare_HugeNesting_FailsWithoutStackOverflow()
    {
        var text = new string('(', 30_000) + "1" + new string(')', 30_000);

        Assert.Throws<TemplateSyntaxException>(() => ExpressionParser.ParseBare(text));
    }

    [Fact]
    public void ParseBare_IdentifierWithDash_ParsesAsSubtraction()
    {
        var scope = Parse("""{ "my": 5, "node": 2 }""");

        Assert.Equal("3", Eval("my-node", scope));
    }
}
