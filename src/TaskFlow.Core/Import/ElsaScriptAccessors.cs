using System.Text;

namespace TaskFlow.Core.Import;

/// <summary>
/// Elsa generates functions for each workflow: <c>getOrderId()</c> and <c>setOrderId(v)</c> for a variable
/// or input, <c>get{Output}From{Activity}()</c> for an activity's output, <c>getCurrentValue()</c> in a loop.
/// TaskFlow's scripts have the general API these stand for (<c>getVariable('orderId')</c>), so each call is
/// renamed to it; nothing else in the script changes.
/// </summary>
internal static class ElsaScriptAccessors
{
    /// <summary>
    /// The script with every accessor call that <paramref name="resolve"/> knows renamed. <paramref name="resolve"/>
    /// gets <c>Get:OrderId</c> or <c>Set:OrderId</c> and returns the replacement of <c>getOrderId()</c>
    /// (an expression) or of <c>setOrderId(</c> (a call prefix), or null to leave it.
    /// </summary>
    public static string Rewrite(string source, Func<string, string?> resolve)
    {
        var output = new StringBuilder(source.Length);
        var braces = new Stack<bool>(); // true: the brace closes a ${ } inside a template literal
        var i = 0;
        while (i < source.Length)
        {
            var c = source[i];
            if (c is '\'' or '"')
            {
                i = CopyString(source, i, output);
            }
            else if (c == '`' || (c == '}' && braces.TryPeek(out var inTemplate) && inTemplate))
            {
                if (c == '}')
                {
                    braces.Pop();
                }

                i = CopyTemplateText(source, i, output, braces);
            }
            else if (c == '/' && i + 1 < source.Length && source[i + 1] is '/' or '*')
            {
                var end = source[i + 1] == '/' ? source.IndexOf('\n', i) : source.IndexOf("*/", i + 2, StringComparison.Ordinal);
                end = end < 0 ? source.Length : source[i + 1] == '/' ? end : end + 2;
                output.Append(source, i, end - i);
                i = end;
            }
            else if (c == '{')
            {
                braces.Push(false);
                output.Append(c);
                i++;
            }
            else if (c == '}')
            {
                braces.TryPop(out _);
                output.Append(c);
                i++;
            }
            else if (IsIdentifierStart(c) && (i == 0 || !(IsIdentifierPart(source[i - 1]) || source[i - 1] == '.')))
            {
                var end = i;
                while (end < source.Length && IsIdentifierPart(source[end]))
                {
                    end++;
                }

                output.Append(Accessor(source, i, end, resolve, out var next));
                i = next;
            }
            else
            {
                output.Append(c);
                i++;
            }
        }

        return output.ToString();
    }

    private static string Accessor(string source, int start, int end, Func<string, string?> resolve, out int next)
    {
        next = end;
        var name = source[start..end];
        var open = end;
        while (open < source.Length && char.IsWhiteSpace(source[open]))
        {
            open++;
        }

        if (open >= source.Length || source[open] != '(' || name.Length < 4 || !char.IsUpper(name[3]) || !(name.StartsWith("get", StringComparison.Ordinal) || name.StartsWith("set", StringComparison.Ordinal)))
        {
            return name;
        }

        if (name.StartsWith("get", StringComparison.Ordinal))
        {
            var close = open + 1;
            while (close < source.Length && char.IsWhiteSpace(source[close]))
            {
                close++;
            }

            if (close >= source.Length || source[close] != ')' || resolve("Get:" + name[3..]) is not { } value)
            {
                return name;
            }

            next = close + 1;
            return "(" + value + ")";
        }

        if (resolve("Set:" + name[3..]) is not { } call)
        {
            return name;
        }

        next = open + 1;
        return call;
    }

    private static int CopyString(string source, int i, StringBuilder output)
    {
        var quote = source[i];
        var end = i + 1;
        while (end < source.Length && source[end] != quote && source[end] != '\n')
        {
            end += source[end] == '\\' ? 2 : 1;
        }

        end = Math.Min(end + 1, source.Length);
        output.Append(source, i, end - i);
        return end;
    }

    /// <summary>Copies template literal text from its opening <c>`</c> (or the <c>}</c> ending a substitution) to its end or the next <c>${</c>.</summary>
    private static int CopyTemplateText(string source, int i, StringBuilder output, Stack<bool> braces)
    {
        output.Append(source[i]);
        var end = i + 1;
        while (end < source.Length)
        {
            if (source[end] == '\\')
            {
                output.Append(source, end, Math.Min(2, source.Length - end));
                end += 2;
                continue;
            }

            if (source[end] == '`')
            {
                output.Append('`');
                return end + 1;
            }

            if (source[end] == '$' && end + 1 < source.Length && source[end + 1] == '{')
            {
                output.Append("${");
                braces.Push(true);
                return end + 2;
            }

            output.Append(source[end]);
            end++;
        }

        return source.Length;
    }

    private static bool IsIdentifierStart(char c) => char.IsLetter(c) || c is '_' or '$';

    private static bool IsIdentifierPart(char c) => char.IsLetterOrDigit(c) || c is '_' or '$';
}
