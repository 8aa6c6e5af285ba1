using TaskFlow.Core.Templates.Ast;
using TaskFlow.Core.Templates.Evaluation;

namespace TaskFlow.Core.Templates.Syntax;

internal sealed partial class ExpressionParser
{
    private ExprNode ParseUnary()
    {
        var op = _current.Kind switch
        {
            TokenKind.Bang => UnaryOperator.Not,
            TokenKind.Minus => UnaryOperator.Negate,
            _ => (UnaryOperator?)null,
        };
        if (op is null)
        {
            return ParsePostfix();
        }

        var start = _current.Start;
        Advance();
        Enter();
        var operand = ParseUnary();
        _depth--;

        // Fold -2.5 into a literal so negative constants cost nothing at render time.
        if (op == UnaryOperator.Negate && operand is LiteralNode { Value.Kind: ValueKind.Number } literal)
        {
            return new LiteralNode(start, Value.FromNumber(-literal.Value.AsNumber));
        }

        return new UnaryNode(start, op.Value, operand);
    }

    private ExprNode ParsePostfix()
    {
        var start = _current.Start;
        var target = ParsePrimary();
        List<PathSegment>? segments = null;
        while (true)
        {
            var segmentStart = _current.Start;
            if (_current.Kind == TokenKind.Dot)
            {
                Advance();
                if (_current.Kind != TokenKind.Identifier)
                {
                    throw _current.Kind is TokenKind.End
                        ? Unexpected()
                        : Error(_current.Start, $"Expected a member name after '.' but found {Describe(_current)}");
                }

                (segments ??= []).Add(PathSegment.Member(segmentStart, _current.Text!));
                Advance();
            }
            else if (_current.Kind == TokenKind.LeftBracket)
            {
                Advance();
                var index = ParseExpression();
                Consume(TokenKind.RightBracket, "']'");
                (segments ??= []).Add(PathSegment.Indexer(segmentStart, index));
            }
            else
            {
                return segments is null ? target : new PathNode(start, target, [.. segments]);
            }
        }
    }

    private ExprNode ParsePrimary()
    {
        var token = _current;
        switch (token.Kind)
        {
            case TokenKind.Number:
                Advance();
                return new LiteralNode(token.Start, Value.FromNumber(token.Number));
            case TokenKind.String:
                Advance();
                return new LiteralNode(token.Start, Value.FromString(token.Text!));
            case TokenKind.Identifier:
                Advance();
                return ParseIdentifier(token);
            case TokenKind.LeftParen:
                Advance();
                var inner = ParseExpression();
                Consume(TokenKind.RightParen, "')'");
                return inner;
            case TokenKind.LeftBracket:
                Advance();
                return new ArrayNode(token.Start, [.. ParseList(TokenKind.RightBracket, "']'")]);
            case TokenKind.End:
                throw Unexpected();
            default:
                throw Error(token.Start, $"Expected an expression but found {Describe(token)}");
        }
    }

    private ExprNode ParseIdentifier(Token name)
    {
        switch (name.Text)
        {
            case "true":
                return new LiteralNode(name.Start, Value.True);
            case "false":
                return new LiteralNode(name.Start, Value.False);
            case "null":
                return new LiteralNode(name.Start, Value.Null);
        }

        if (_current.Kind != TokenKind.LeftParen)
        {
            return new RootNode(name.Start, name.Text!);
        }

        if (!BuiltinFunctions.TryGet(name.Text!, out var function))
        {
            throw Error(name.Start,
                $"Unknown function '{name.Text}'; the functions are {string.Join(", ", BuiltinFunctions.Names)}");
        }

        Advance();
        var arguments = ParseList(TokenKind.RightParen, "')'");
        if (arguments.Count != function.Arity)
        {
            var noun = function.Arity == 1 ? "argument" : "arguments";
            throw Error(name.Start, $"Function '{function.Name}' takes {function.Arity} {noun} but was given {arguments.Count}");
        }

        return new CallNode(name.Start, function, [.. arguments]);
    }

    // Comma-separated expressions up to close, which is consumed; the opener already was.
    private List<ExprNode> ParseList(TokenKind close, string closeText)
    {
        var items = new List<ExprNode>();
        if (_current.Kind == close)
        {
            Advance();
            return items;
        }

        while (true)
        {
            items.Add(ParseExpression());
            if (_current.Kind != TokenKind.Comma)
            {
                Consume(close, $"',' or {closeText}");
                return items;
            }

            Advance();
        }
    }
}
