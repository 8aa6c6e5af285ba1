using System.Text.Json.Nodes;

namespace TaskFlow.Core.Import;

/// <summary>Activity properties into node inputs and edge conditions.</summary>
internal sealed partial class ElsaConversion
{
    /// <summary>What a node input expects, which decides how a translated expression is wrapped.</summary>
    /// <summary>The forms a node input value takes for a JavaScript expression and a Liquid template.</summary>
    private const string JavaScriptKey = "js";
    private const string LiquidKey = "liquid";

    private enum ValueShape
    {
        Any,
        Text,
        Object,
    }

    /// <summary>The property, or null when it is absent or bound to a memory block that is not a variable.</summary>
    private ElsaExpression? Property(JsonObject activity, string name)
    {
        var expression = ElsaExpression.Read(activity[name]);
        return expression is not null && expression.Is(ElsaExpression.MemoryReference) && _names.VariableById(expression.Text) is null ? null : expression;
    }

    /// <summary>
    /// The node input value for a property: literals as JSON (strings escaped, since every input string is a
    /// template), translatable expressions as templates. False when the expression cannot be translated faithfully.
    /// </summary>
    private bool TryConvertValue(ElsaExpression expression, ValueShape shape, out JsonNode? value)
    {
        value = null;
        if (expression.Is(ElsaExpression.Literal) || expression.Is(ElsaExpression.Object))
        {
            value = Literal(expression, shape);
            return shape != ValueShape.Object || value is JsonObject;
        }

        if (expression.Is(ElsaExpression.Liquid))
        {
            value = ElsaExpressionTranslator.TranslateLiquid(expression.Text, _names) is { } template ? JsonValue.Create(template) : null;
            return value is not null && shape != ValueShape.Object;
        }

        if (shape == ValueShape.Text && expression.Is(ElsaExpression.CSharp) && InterpolatedText(expression.Text) is { } text)
        {
            value = JsonValue.Create(text);
            return true;
        }

        // C#'s x.ToString() on a variable or input is TaskFlow's string(x) for text (not for numbers, which
        // .NET formats by culture), which is what a text input gets anyway.
        if (shape == ValueShape.Text && expression.Is(ElsaExpression.CSharp) && ToStringCall().Match(expression.Text) is { Success: true } call)
        {
            expression = expression with { Value = JsonValue.Create(call.Groups[1].Value) };
        }

        // Only a plain reference is translated into a template: read as a whole value it gives exactly the
        // value Elsa reads. Anything that computes stays in its own language (see ScriptValue).
        if (Reference(expression, condition: false) is not { } reference || !IsPlainReference(reference))
        {
            return false;
        }

        // A whole-value placeholder keeps the value's JSON type; a text input gets text, as Elsa converts it.
        value = JsonValue.Create(shape == ValueShape.Text ? $"{{{{ string({reference}) }}}}" : $"{{{{ {reference} }}}}");
        return true;
    }

    /// <summary>
    /// The node input for a property: a converted value, or else the expression kept as it is written,
    /// <c>{ "js": source }</c> for JavaScript and <c>{ "liquid": text }</c> for Liquid, evaluated as Elsa
    /// evaluates it. False for languages TaskFlow does not run (C#, Python).
    /// </summary>
    private bool TryValue(ElsaExpression expression, ValueShape shape, out JsonNode? value)
    {
        if (TryConvertValue(expression, shape, out value))
        {
            return true;
        }

        value = ScriptValue(expression);
        return value is not null;
    }

    private static JsonObject? ScriptValue(ElsaExpression expression) =>
        expression.Is(ElsaExpression.JavaScript) ? new JsonObject { [JavaScriptKey] = expression.Text }
        : expression.Is(ElsaExpression.Liquid) ? new JsonObject { [LiquidKey] = expression.Text }
        : null;

    /// <summary>The same as <see cref="TryValue"/>, with a problem naming the property when the language cannot run here.</summary>
    private bool RequireValue(ElsaExpression? expression, ValueShape shape, string id, string? type, string property, out JsonNode? value)
    {
        value = null;
        if (expression is null || TryValue(expression, shape, out value))
        {
            return true;
        }

        Problem(id, type, $"Its {property} is the {expression.Language} expression {Excerpt(expression.Text)}; TaskFlow runs JavaScript and Liquid expressions, not {expression.Language}. " +
                          "Rewrite it in JavaScript (Elsa's default) and export again.");
        return false;
    }

    private static bool IsPlainReference(string expression) => PlainReference().IsMatch(expression);

    /// <summary>
    /// A C# interpolated string whose holes are only variables and inputs, <c>$"Hello {Variables.Name}"</c>,
    /// as the text template it reads the same as; null for anything else (format specifiers, escapes, code).
    /// </summary>
    private string? InterpolatedText(string code)
    {
        var match = Interpolation().Match(code);
        if (!match.Success)
        {
            return null;
        }

        var template = new System.Text.StringBuilder();
        foreach (var part in HolePattern().Split(match.Groups[1].Value))
        {
            if (part.StartsWith('{') && part.EndsWith('}'))
            {
                var reference = ElsaExpressionTranslator.TranslateScript(ElsaExpression.CSharp, part[1..^1], _names, condition: false);
                if (reference is null || !IsPlainReference(reference))
                {
                    return null;
                }

                template.Append($"{{{{ string({reference}) }}}}");
            }
            else if (part.Contains('{') || part.Contains('}') || part.Contains('\\'))
            {
                return null;
            }
            else
            {
                template.Append(ElsaJson.EscapeTemplate(part));
            }
        }

        return template.ToString();
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^\s*(?:return\s+)?\$""([^""]*)""\s*;?\s*$", System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex Interpolation();

    [System.Text.RegularExpressions.GeneratedRegex(@"(\{[^{}:]+\})", System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex HolePattern();

    [System.Text.RegularExpressions.GeneratedRegex(@"^\s*(?:return\s+)?(.+?)\.ToString\(\)\s*;?\s*$", System.Text.RegularExpressions.RegexOptions.CultureInvariant | System.Text.RegularExpressions.RegexOptions.Singleline)]
    private static partial System.Text.RegularExpressions.Regex ToStringCall();

    [System.Text.RegularExpressions.GeneratedRegex(@"^(vars|input)(\.[A-Za-z_][A-Za-z0-9_]*|\['(?:[^'\\]|\\.)*'\])*$", System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex PlainReference();

    /// <summary>
    /// A condition: a literal true or false or a variable as a TaskFlow expression (they read the same), a
    /// JavaScript expression as it is written, evaluated as Elsa evaluates it; null for other languages.
    /// </summary>
    private string? ConvertCondition(ElsaExpression expression)
    {
        if (expression.Is(ElsaExpression.Literal))
        {
            return ElsaJson.Boolean(expression.Value) is { } flag ? (flag ? "true" : "false") : null;
        }

        if (expression.Is(ElsaExpression.JavaScript))
        {
            return string.IsNullOrWhiteSpace(expression.Text) ? null : ElsaConditions.JavaScript(expression.Text);
        }

        return expression.Is(ElsaExpression.Variable) || expression.Is(ElsaExpression.MemoryReference) ? Reference(expression, condition: true) : null;
    }

    /// <summary>A variable reference or a translated script, as a bare TaskFlow expression.</summary>
    private string? Reference(ElsaExpression expression, bool condition)
    {
        if (expression.Is(ElsaExpression.Variable) || expression.Is(ElsaExpression.MemoryReference))
        {
            return _names.ResolveVariable(expression.Value) is { } name ? ElsaJson.Path("vars", name) : null;
        }

        return ElsaExpressionTranslator.TranslateScript(expression.Language, expression.Text, _names, condition);
    }

    private static JsonNode? Literal(ElsaExpression expression, ValueShape shape)
    {
        if (shape == ValueShape.Text)
        {
            return JsonValue.Create(ElsaJson.EscapeTemplate(expression.Text));
        }

        // Elsa writes literal values as text ("5" for an Int32, JSON text for an Object expression).
        var value = ElsaJson.String(expression.Value) is { } text
            ? expression.Is(ElsaExpression.Object) ? ElsaValues.TryParseJson(text) ?? JsonValue.Create(text) : ElsaValues.Typed(text, expression.TypeName)
            : expression.Value;
        return ElsaJson.EscapeTemplates(value);
    }
}
