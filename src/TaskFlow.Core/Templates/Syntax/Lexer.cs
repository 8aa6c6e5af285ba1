using System.Globalization;
using System.Text;

namespace TaskFlow.Core.Templates.Syntax;

// Splits expression text into tokens on demand. Inside a placeholder it stops at }},
// which is recognised only outside string literals, so {{ '}}' }} works.
internal sealed class Lexer(string text, int start, bool inPlaceholder)
{
    private int _position = start;

    public Token Next()
    {
        SkipWhitespace();
        if (_position >= text.Length)
        {
            return new Token(TokenKind.End, text.Length, 0);
        }

        var start = _position;
        var c = text[_position];
        if (char.IsAsciiDigit(c))
        {
            return ReadNumber();
        }

        if (char.IsAsciiLetter(c) || c == '_')
        {
            return ReadIdentifier();
        }

        if (c is '\'' or '"')
        {
            return ReadString(c);
        }

        _position++;
        var kind = c switch
        {
            '.' => TokenKind.Dot,
            ',' => TokenKind.Comma,
            '(' => TokenKind.LeftParen,
            ')' => TokenKind.RightParen,
            '[' => TokenKind.LeftBracket,
            ']' => TokenKind.RightBracket,
            ':' => TokenKind.Colon,
            '+' => TokenKind.Plus,
            '-' => TokenKind.Minus,
            '*' => TokenKind.Star,
            '/' => TokenKind.Slash,
            '%' => TokenKind.Percent,
            '?' => Match('?') ? TokenKind.QuestionQuestion : TokenKind.Question,
            '!' => Match('=') ? TokenKind.BangEqual : TokenKind.Bang,
            '<' => Match('=') ? TokenKind.LessEqual : TokenKind.Less,
            '>' => Match('=') ? TokenKind.GreaterEqual : TokenKind.Greater,
            '=' => Match('=') ? TokenKind.EqualEqual : throw Error(start, "Unexpected '='; use '==' to compare"),
            '&' => Match('&') ? TokenKind.AndAnd : throw Error(start, "Unexpected '&'; use '&&'"),
            '|' => Match('|')
                ? TokenKind.OrOr
                : throw Error(start, "Unexpected '|'; pipe filters are not supported, call a function such as upper(x) instead"),
            '}' when inPlaceholder && Match('}') => TokenKind.CloseTemplate,
            _ => throw Error(start, $"Unexpected '{c}'"),
        };
        return new Token(kind, start, _position - start);
    }

    private void SkipWhitespace()
    {
        while (_position < text.Length && text[_position] is ' ' or '\t' or '\r' or '\n')
        {
            _position++;
        }
    }

    private bool Match(char expected)
    {
        if (_position < text.Length && text[_position] == expected)
        {
            _position++;
            return true;
        }

        return false;
    }

    private Token ReadNumber()
    {
        var start = _position;
        SkipDigits();
        if (_position + 1 < text.Length && text[_position] == '.' && char.IsAsciiDigit(text[_position + 1]))
        {
            _position++;
            SkipDigits();
        }

        if (_position < text.Length && text[_position] is 'e' or 'E')
        {
            var mark = _position++;
            if (_position < text.Length && text[_position] is '+' or '-')
            {
                _position++;
            }

            if (_position < text.Length && char.IsAsciiDigit(text[_position]))
            {
                SkipDigits();
            }
            else
            {
                _position = mark; // not an exponent: "2e" is the number 2 followed by the identifier e
            }
        }

        var span = text.AsSpan(start, _position - start);
        if (!decimal.TryParse(span, NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out var number))
        {
            throw Error(start, $"Number '{span}' is outside the supported range (about ±7.9e28)");
        }

        return new Token(TokenKind.Number, start, _position - start, Number: number);
    }

    private void SkipDigits()
    {
        while (_position < text.Length && char.IsAsciiDigit(text[_position]))
        {
            _position++;
        }
    }

    private Token ReadIdentifier()
    {
        var start = _position;
        while (_position < text.Length && (char.IsAsciiLetterOrDigit(text[_position]) || text[_position] == '_'))
        {
            _position++;
        }

        return new Token(TokenKind.Identifier, start, _position - start, text[start.._position]);
    }

    private Token ReadString(char quote)
    {
        var start = _position++;
        var builder = new StringBuilder();
        while (_position < text.Length)
        {
            var c = text[_position];
            if (c == quote)
            {
                _position++;
                return new Token(TokenKind.String, start, _position - start, builder.ToString());
            }

            if (c != '\\')
            {
                builder.Append(c);
                _position++;
                continue;
            }

            if (_position + 1 >= text.Length)
            {
                break;
            }

            builder.Append(ReadEscape());
        }

        throw Error(start, "Unterminated string");
    }

    private char ReadEscape()
    {
        var start = _position;
        var c = text[_position + 1];
        _position += 2;
        switch (c)
        {
            case 'n': return '\n';
            case 'r': return '\r';
            case 't': return '\t';
            case 'b': return '\b';
            case 'f': return '\f';
            case '0': return '\0';
            case '\\' or '\'' or '"' or '/': return c;
            case 'u':
                if (_position + 4 <= text.Length &&
                    ushort.TryParse(text.AsSpan(_position, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code))
                {
                    _position += 4;
                    return (char)code;
                }

                throw Error(start, "Invalid escape '\\u'; expected four hex digits such as \\u00e9");
            default:
                throw Error(start, $"Unknown escape '\\{c}'");
        }
    }

    private TemplateSyntaxException Error(int index, string reason) => TemplateSyntaxException.At(text, index, reason);
}
