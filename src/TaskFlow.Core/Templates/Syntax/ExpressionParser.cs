using TaskFlow.Core.Templates.Ast;

namespace TaskFlow.Core.Templates.Syntax;

// Recursive-descent parser. Precedence, loosest first:
// ?:, ??, ||, &&, == !=, < <= > >=, + -, * / %, unary ! -, postfix .name [index].
internal sealed partial class ExpressionParser
{
    private const int Bare = -1;

    private readonly string _text;
    private readonly Lexer _lexer;

    // Index of the "{{" being parsed, or Bare for an expression without braces.
    private readonly int _placeholderStart;
    private Token _current;
    private int _depth;

    private ExpressionParser(string text, int start, int placeholderStart)
    {
        _text = text;
        _placeholderStart = placeholderStart;
        _lexer = new Lexer(text, start, inPlaceholder: placeholderStart != Bare);
        _current = _lexer.Next();
    }

    // Parses text that is one expression from start to end.
    public static ExprNode ParseBare(string text)
    {
        var parser = new ExpressionParser(text, 0, Bare);
        if (parser._current.Kind == TokenKind.End)
        {
            throw TemplateSyntaxException.At(text, 0, "Empty expression");
        }

        var expression = parser.ParseExpression();
        if (parser._current.Kind != TokenKind.End)
        {
            throw parser.Unexpected();
        }

        return expression;
    }

    // Parses the placeholder whose {{ is at placeholderStart.
    // end: Index just after the closing }}.
    public static ExprNode ParsePlaceholder(string text, int placeholderStart, out int end)
    {
        var parser = new ExpressionParser(text, placeholderStart + 2, placeholderStart);
        if (parser._current.Kind == TokenKind.CloseTemplate)
        {
            throw TemplateSyntaxException.At(text, placeholderStart, "Empty placeholder");
        }

        var expression = parser.ParseExpression();
        if (parser._current.Kind != TokenKind.CloseTemplate)
        {
            throw parser.Unexpected();
        }

        end = parser._current.Start + parser._current.Length;
        return expression;
    }

    private ExprNode ParseExpression()
    {
        Enter();
        var expression = ParseConditional();
        _depth--;
        return expression;
    }

    private ExprNode ParseConditional()
    {
        var start = _current.Start;
        var condition = ParseCoalesce();
        if (_current.Kind != TokenKind.Question)
        {
            return condition;
        }

        Advance();
        var whenTrue = ParseExpression();
        Consume(TokenKind.Colon, "':'");

        // Right-associative: a ? b : c ? d : e. Each level counts towards the nesting limit.
        Enter();
        var whenFalse = ParseConditional();
        _depth--;
        return new ConditionalNode(start, condition, whenTrue, whenFalse);
    }

    private ExprNode ParseCoalesce()
    {
        var start = _current.Start;
        var first = ParseOr();
        if (_current.Kind != TokenKind.QuestionQuestion)
        {
            return first;
        }

        var operands = new List<ExprNode> { first };
        while (_current.Kind == TokenKind.QuestionQuestion)
        {
            Advance();
            operands.Add(ParseOr());
        }

        return new CoalesceNode(start, [.. operands]);
    }

    private ExprNode ParseOr() => ParseLogical(TokenKind.OrOr, isAnd: false, ParseAnd);

    private ExprNode ParseAnd() => ParseLogical(TokenKind.AndAnd, isAnd: true, ParseEquality);

    private ExprNode ParseLogical(TokenKind kind, bool isAnd, Func<ExprNode> next)
    {
        var start = _current.Start;
        var first = next();
        if (_current.Kind != kind)
        {
            return first;
        }

        var operands = new List<ExprNode> { first };
        while (_current.Kind == kind)
        {
            Advance();
            operands.Add(next());
        }

        return new LogicalNode(start, isAnd, [.. operands]);
    }

    private ExprNode ParseEquality() => ParseBinary(ParseComparison, static kind => kind switch
    {
        TokenKind.EqualEqual => BinaryOperator.Equal,
        TokenKind.BangEqual => BinaryOperator.NotEqual,
        _ => null,
    });

    private ExprNode ParseComparison() => ParseBinary(ParseAdditive, static kind => kind switch
    {
        TokenKind.Less => BinaryOperator.Less,
        TokenKind.LessEqual => BinaryOperator.LessOrEqual,
        TokenKind.Greater => BinaryOperator.Greater,
        TokenKind.GreaterEqual => BinaryOperator.GreaterOrEqual,
        _ => null,
    });

    private ExprNode ParseAdditive() => ParseBinary(ParseMultiplicative, static kind => kind switch
    {
        TokenKind.Plus => BinaryOperator.Add,
        TokenKind.Minus => BinaryOperator.Subtract,
        _ => null,
    });

    private ExprNode ParseMultiplicative() => ParseBinary(ParseUnary, static kind => kind switch
    {
        TokenKind.Star => BinaryOperator.Multiply,
        TokenKind.Slash => BinaryOperator.Divide,
        TokenKind.Percent => BinaryOperator.Remainder,
        _ => null,
    });

    private ExprNode ParseBinary(Func<ExprNode> next, Func<TokenKind, BinaryOperator?> operatorOf)
    {
        var start = _current.Start;
        var first = next();
        if (operatorOf(_current.Kind) is null)
        {
            return first;
        }

        var operators = new List<BinaryOperator>();
        var operands = new List<ExprNode>();
        while (operatorOf(_current.Kind) is { } op)
        {
            Advance();
            operators.Add(op);
            operands.Add(next());
        }

        return new BinaryNode(start, first, [.. operators], [.. operands]);
    }

    private void Advance() => _current = _lexer.Next();

    private void Consume(TokenKind kind, string expected)
    {
        if (_current.Kind != kind)
        {
            throw _current.Kind is TokenKind.End
                ? Unexpected()
                : Error(_current.Start, $"Expected {expected} but found {Describe(_current)}");
        }

        Advance();
    }

    private void Enter()
    {
        if (++_depth > TemplateLimits.MaxNestingDepth)
        {
            throw Error(_current.Start, $"Expression is nested more than {TemplateLimits.MaxNestingDepth} levels deep");
        }
    }

    private TemplateSyntaxException Unexpected()
    {
        if (_current.Kind != TokenKind.End)
        {
            return Error(_current.Start, $"Unexpected {Describe(_current)}");
        }

        return _placeholderStart == Bare
            ? Error(_current.Start, "Unexpected end of expression")
            : Error(_placeholderStart, "Unclosed '{{'; expected '}}'");
    }

    private string Describe(Token token)
    {
        const int MaxShown = 30;
        if (token.Kind == TokenKind.End)
        {
            return "end of expression";
        }

        var source = _text.AsSpan(token.Start, token.Length);
        return source.Length <= MaxShown ? $"'{source}'" : $"'{source[..MaxShown]}...'";
    }

    private TemplateSyntaxException Error(int index, string reason) => TemplateSyntaxException.At(_text, index, reason);
}
