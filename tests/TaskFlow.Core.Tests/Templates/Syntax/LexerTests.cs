using TaskFlow.Core.Templates;
using TaskFlow.Core.Templates.Syntax;

namespace TaskFlow.Core.Tests.Templates.Syntax;

public class LexerTests
{
    private static List<Token> Tokenize(string text, bool inPlaceholder = false)
    {
        var lexer = new Lexer(text, 0, inPlaceholder);
        var tokens = new List<Token>();
        Token token;
        do
        {
            token = lexer.Next();
            tokens.Add(token);
        }
        while (token.Kind is not (TokenKind.End or TokenKind.CloseTemplate));

        return tokens;
    }

    [Fact]
    public void Next_Operators_ProducesEachKind()
    {
        var kinds = Tokenize(". , ( ) [ ] ? ?? : ! + - * / % == != < <= > >= && ||").Select(t => t.Kind);

        Assert.Equal(
            [
                TokenKind.Dot, TokenKind.Comma, TokenKind.LeftParen, TokenKind.RightParen, TokenKind.LeftBracket,
                TokenKind.RightBracket, TokenKind.Question, TokenKind.QuestionQuestion, TokenKind.Colon, TokenKind.Bang,
                TokenKind.Plus, TokenKind.Minus, TokenKind.Star, TokenKind.Slash, TokenKind.Percent, TokenKind.EqualEqual,
                TokenKind.BangEqual, TokenKind.Less, TokenKind.LessEqual, TokenKind.Greater, TokenKind.GreaterEqual,
                TokenKind.AndAnd, TokenKind.OrOr, TokenKind.End,
            ],
            kinds);
    }

    [Theory]
    [InlineData("3", 3)]
    [InlineData("2.5", 2.5)]
    [InlineData("0.001", 0.001)]
    [InlineData("1e3", 1000)]
    [InlineData("1.5E-2", 0.015)]
    public void Next_Number_ParsesValue(string text, double expected)
    {
        var token = Tokenize(text)[0];

        Assert.Equal(TokenKind.Number, token.Kind);
        Assert.Equal((decimal)expected, token.Number);
        Assert.Equal(text.Length, token.Length);
    }

    [Fact]
    public void Next_NumberFollowedByDotName_StopsBeforeDot()
    {
        var tokens = Tokenize("1.x");

        Assert.Equal([TokenKind.Number, TokenKind.Dot, TokenKind.Identifier, TokenKind.End], tokens.Select(t => t.Kind));
    }

    [Theory]
    [InlineData("'abc'", "abc")]
    [InlineData("\"abc\"", "abc")]
    [InlineData("'it\\'s'", "it's")]
    [InlineData("\"say \\\"hi\\\"\"", "say \"hi\"")]
    [InlineData("'a\\nb\\tc\\\\d\\/e'", "a\nb\tc\\d/e")]
    [InlineData("'\\u00e9'", "é")]
    [InlineData("'}}'", "}}")]
    [InlineData("\"it's\"", "it's")]
    public void Next_String_DecodesEscapes(string text, string expected)
    {
        var token = Tokenize(text, inPlaceholder: true)[0];

        Assert.Equal(TokenKind.String, token.Kind);
        Assert.Equal(expected, token.Text);
        Assert.Equal(text.Length, token.Length);
    }

    [Fact]
    public void Next_Identifier_AllowsLettersDigitsUnderscore()
    {
        var tokens = Tokenize("_a1_B my-node");

        Assert.Equal("_a1_B", tokens[0].Text);
        Assert.Equal("my", tokens[1].Text);
        Assert.Equal(TokenKind.Minus, tokens[2].Kind);
        Assert.Equal("node", tokens[3].Text);
    }

    [Fact]
    public void Next_CloseBracesInPlaceholder_EndsExpression()
    {
        var tokens = Tokenize("a }} b", inPlaceholder: true);

        Assert.Equal([TokenKind.Identifier, TokenKind.CloseTemplate], tokens.Select(t => t.Kind));
        Assert.Equal(2, tokens[1].Start);
    }

    [Theory]
    [InlineData("'abc", 1, "Unterminated string")]
    [InlineData("  \"ab\\\"", 3, "Unterminated string")]
    [InlineData("'a\\qb'", 3, "Unknown escape '\\q'")]
    [InlineData("'\\u12'", 2, "Invalid escape '\\u'; expected four hex digits such as \\u00e9")]
    [InlineData("a = b", 3, "Unexpected '='; use '==' to compare")]
    [InlineData("a & b", 3, "Unexpected '&'; use '&&'")]
    [InlineData("a | upper", 3, "Unexpected '|'; pipe filters are not supported, call a function such as upper(x) instead")]
    [InlineData("a # b", 3, "Unexpected '#'")]
    [InlineData("a } b", 3, "Unexpected '}'")]
    [InlineData("café", 4, "Unexpected 'é'")]
    [InlineData("99999999999999999999999999999999", 1, "Number '99999999999999999999999999999999' is outside the supported range (about ±7.9e28)")]
    public void Next_InvalidInput_ThrowsWithColumn(string text, int column, string reason)
    {
        var error = Assert.Throws<TemplateSyntaxException>(() => Tokenize(text));

        Assert.Equal(column, error.Column);
        Assert.Equal(reason, error.Reason);
    }
}
