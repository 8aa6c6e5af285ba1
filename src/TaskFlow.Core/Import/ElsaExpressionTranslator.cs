using System.Text;
using System.Text.RegularExpressions;
using TaskFlow.Core.Templates;

namespace TaskFlow.Core.Import;

/// <summary>
/// Translates the part of Elsa's JavaScript, C# and Liquid expressions whose meaning TaskFlow's
/// expression language shares: references to variables and inputs, literals, comparisons, arithmetic
/// with + - * and (in conditions) ! &amp;&amp; ||. Anything else returns null, so that the caller can keep
/// the text with a note or refuse; nothing is translated by guesswork.
/// </summary>
internal static partial class ElsaExpressionTranslator
{
    [GeneratedRegex(@"^\s*(Variables|Input)\.([A-Za-z_][A-Za-z0-9_]*)\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex LiquidReference();

    /// <summary>
    /// A TaskFlow expression without braces, or null. <paramref name="condition"/> allows ! &amp;&amp; ||, whose
    /// results agree with JavaScript and C# only as truth values: JavaScript's <c>a || b</c> returns <c>a</c> or <c>b</c>.
    /// </summary>
    public static string? TranslateScript(string language, string code, ElsaNames names, bool condition)
    {
        var javaScript = string.Equals(language, ElsaExpression.JavaScript, StringComparison.OrdinalIgnoreCase);
        if (!javaScript && !string.Equals(language, ElsaExpression.CSharp, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var tokens = ElsaScriptTokenizer.Tokenize(StripReturn(code), javaScript);
        if (tokens is null || tokens.Count == 0)
        {
            return null;
        }

        var output = new List<string>();
        for (var i = 0; i < tokens.Count;)
        {
            var token = tokens[i];
            switch (token.Kind)
            {
                case ElsaTokenKind.Number:
                    output.Add(token.Text);
                    i++;
                    break;
                case ElsaTokenKind.String:
                    output.Add(ElsaJson.Quote(token.Text));
                    i++;
                    break;
                case ElsaTokenKind.Identifier when token.Text is "true" or "false" or "null":
                    output.Add(token.Text);
                    i++;
                    break;
                case ElsaTokenKind.Identifier:
                    var reference = javaScript ? JavaScriptReference(tokens, ref i, names) : CSharpReference(tokens, ref i, names);
                    if (reference is null || MemberChain(tokens, ref i, ref reference) is false)
                    {
                        return null;
                    }

                    output.Add(reference);
                    break;
                default:
                    var op = Operator(token.Text, javaScript, condition);
                    if (op is null)
                    {
                        return null;
                    }

                    output.Add(op);
                    i++;
                    break;
            }
        }

        var expression = Join(output);
        try
        {
            TemplateExpression.Parse(expression);
            return expression;
        }
        catch (TemplateSyntaxException)
        {
            return null;
        }
    }

    /// <summary>
    /// A TaskFlow template for Liquid text whose placeholders are only <c>{{ Variables.x }}</c> or
    /// <c>{{ Input.x }}</c>; null for tags, filters or anything else.
    /// </summary>
    public static string? TranslateLiquid(string text, ElsaNames names)
    {
        if (text.Contains("{%", StringComparison.Ordinal))
        {
            return null;
        }

        var builder = new StringBuilder();
        var position = 0;
        while (position < text.Length)
        {
            var open = text.IndexOf("{{", position, StringComparison.Ordinal);
            if (open < 0)
            {
                builder.Append(text, position, text.Length - position);
                break;
            }

            var close = text.IndexOf("}}", open + 2, StringComparison.Ordinal);
            if (close < 0)
            {
                return null;
            }

            builder.Append(text, position, open - position);
            var match = LiquidReference().Match(text[(open + 2)..close]);
            if (!match.Success)
            {
                return null;
            }

            var name = match.Groups[2].Value;
            var isVariable = match.Groups[1].Value == "Variables";
            if (isVariable ? !names.IsVariable(name) : !names.IsInput(name))
            {
                return null;
            }

            builder.Append("{{ ").Append(ElsaJson.Path(isVariable ? "vars" : "input", name)).Append(" }}");
            position = close + 2;
        }

        return builder.ToString();
    }

    /// <summary>Spaces between tokens, except inside parentheses and after a logical not.</summary>
    private static string Join(List<string> tokens)
    {
        var builder = new StringBuilder();
        for (var i = 0; i < tokens.Count; i++)
        {
            if (i > 0 && tokens[i - 1] is not ("(" or "!") && tokens[i] != ")")
            {
                builder.Append(' ');
            }

            builder.Append(tokens[i]);
        }

        return builder.ToString();
    }

    private static string StripReturn(string code)
    {
        var text = code.Trim();
        if (text.StartsWith("return ", StringComparison.Ordinal) || text.StartsWith("return\t", StringComparison.Ordinal))
        {
            text = text["return".Length..].TrimStart();
        }

        return text.EndsWith(';') ? text[..^1].TrimEnd() : text;
    }

    // getVariable('x'), getInput('x'), variables.x and the generated accessors getX() of variables and inputs.
    private static string? JavaScriptReference(List<ElsaToken> tokens, ref int i, ElsaNames names)
    {
        var name = tokens[i].Text;
        if (name is "getVariable" or "getInput" && At(tokens, i + 1, "(") && tokens.ElementAtOrDefault(i + 2)?.Kind == ElsaTokenKind.String && At(tokens, i + 3, ")"))
        {
            var argument = tokens[i + 2].Text;
            i += 4;
            return ElsaJson.Path(name == "getVariable" ? "vars" : "input", argument);
        }

        if (name == "variables" && At(tokens, i + 1, ".") && tokens.ElementAtOrDefault(i + 2)?.Kind == ElsaTokenKind.Identifier)
        {
            var variable = tokens[i + 2].Text;
            i += 3;
            return ElsaJson.Path("vars", variable);
        }

        if (name.Length > 3 && name.StartsWith("get", StringComparison.Ordinal) && At(tokens, i + 1, "(") && At(tokens, i + 2, ")")
            && names.Accessor(name[3..]) is var (root, accessed))
        {
            i += 3;
            return ElsaJson.Path(root, accessed);
        }

        return null;
    }

    // Variable.Get("x"), Variable.Get<T>("x"), Variable.X and Variables.X for a declared X, and Input.Get("x").
    private static string? CSharpReference(List<ElsaToken> tokens, ref int i, ElsaNames names)
    {
        var root = tokens[i].Text;
        if (root is not ("Variable" or "Variables" or "Input") || !At(tokens, i + 1, ".") || tokens.ElementAtOrDefault(i + 2)?.Kind != ElsaTokenKind.Identifier)
        {
            return null;
        }

        var scope = root == "Input" ? "input" : "vars";
        var member = tokens[i + 2].Text;
        var next = i + 3;
        if (member == "Get")
        {
            if (At(tokens, next, "<") && tokens.ElementAtOrDefault(next + 1)?.Kind == ElsaTokenKind.Identifier && At(tokens, next + 2, ">"))
            {
                next += 3;
            }

            if (!At(tokens, next, "(") || tokens.ElementAtOrDefault(next + 1)?.Kind != ElsaTokenKind.String || !At(tokens, next + 2, ")"))
            {
                return null;
            }

            var argument = tokens[next + 1].Text;
            i = next + 3;
            return ElsaJson.Path(scope, argument);
        }

        if (root != "Input" && names.IsVariable(member))
        {
            i = next;
            return ElsaJson.Path(scope, member);
        }

        return null;
    }

    /// <summary>Appends <c>.member</c> reads; false for a method call or <c>.length</c>, which TaskFlow writes differently.</summary>
    private static bool MemberChain(List<ElsaToken> tokens, ref int i, ref string reference)
    {
        while (At(tokens, i, ".") && tokens.ElementAtOrDefault(i + 1)?.Kind == ElsaTokenKind.Identifier)
        {
            var member = tokens[i + 1].Text;
            if (member is "length" or "Length" or "Count")
            {
                return false;
            }

            reference += "." + member;
            i += 2;
        }

        return !At(tokens, i, "(");
    }

    private static string? Operator(string op, bool javaScript, bool condition) => op switch
    {
        // JavaScript's == and != convert types ('1' == 1); TaskFlow's never do, so only === and !== carry over.
        "===" when javaScript => "==",
        "!==" when javaScript => "!=",
        "==" or "!=" when !javaScript => op,
        "<" or "<=" or ">" or ">=" or "+" or "-" or "*" or "(" or ")" => op,
        "!" or "&&" or "||" when condition => op,
        _ => null,
    };

    private static bool At(List<ElsaToken> tokens, int index, string symbol) =>
        index < tokens.Count && tokens[index].Kind == ElsaTokenKind.Symbol && tokens[index].Text == symbol;
}
