using System.Text;

namespace TaskFlow.Core.Import;

internal enum ElsaTokenKind
{
    Identifier,
    Number,
    String,
    Symbol,
}

/// <summary>One token of a script expression; for strings, <see cref="Text"/> is the unescaped value.</summary>
internal sealed record ElsaToken(ElsaTokenKind Kind, string Text);

/// <summary>Splits the small JavaScript/C# subset the translator understands; null for any other character.</summary>
internal static class ElsaScriptTokenizer
{
    private static readonly string[] Symbols = ["===", "!==", "==", "!=", "<=", ">=", "&&", "||", "<", ">", "!", "(", ")", ".", "+", "-", "*"];

    public static List<ElsaToken>? Tokenize(string text, bool javaScript)
    {
        var tokens = new List<ElsaToken>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (char.IsAsciiLetter(c) || c is '_' or '$')
            {
                var start = i;
                while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] is '_' or '$'))
                {
                    i++;
                }

                tokens.Add(new ElsaToken(ElsaTokenKind.Identifier, text[start..i]));
            }
            else if (char.IsAsciiDigit(c))
            {
                var start = i;
                while (i < text.Length && char.IsAsciiDigit(text[i]))
                {
                    i++;
                }

                if (i + 1 < text.Length && text[i] == '.' && char.IsAsciiDigit(text[i + 1]))
                {
                    i++;
                    while (i < text.Length && char.IsAsciiDigit(text[i]))
                    {
                        i++;
                    }
                }

                // A suffix such as 5m or 1e3 reads differently in each language.
                if (i < text.Length && (char.IsAsciiLetter(text[i]) || text[i] is '_' or '.'))
                {
                    return null;
                }

                tokens.Add(new ElsaToken(ElsaTokenKind.Number, text[start..i]));
            }
            else if (c == '"' || (c == '\'' && javaScript))
            {
                var value = ReadString(text, ref i);
                if (value is null)
                {
                    return null;
                }

                tokens.Add(new ElsaToken(ElsaTokenKind.String, value));
            }
            else if (Symbols.FirstOrDefault(s => string.CompareOrdinal(text, i, s, 0, s.Length) == 0) is { } symbol)
            {
                tokens.Add(new ElsaToken(ElsaTokenKind.Symbol, symbol));
                i += symbol.Length;
            }
            else
            {
                return null;
            }
        }

        return tokens;
    }

    private static string? ReadString(string text, ref int i)
    {
        var quote = text[i++];
        var builder = new StringBuilder();
        while (i < text.Length)
        {
            var c = text[i++];
            if (c == quote)
            {
                return builder.ToString();
            }

            if (c != '\\')
            {
                builder.Append(c);
                continue;
            }

            if (i >= text.Length)
            {
                return null;
            }

            var escaped = text[i++];
            switch (escaped)
            {
                case '\\' or '\'' or '"' or '/':
                    builder.Append(escaped);
                    break;
                case 'n':
                    builder.Append('\n');
                    break;
                case 't':
                    builder.Append('\t');
                    break;
                case 'r':
                    builder.Append('\r');
                    break;
                default:
                    return null;
            }
        }

        return null;
    }
}
