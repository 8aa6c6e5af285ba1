using System.Text.Json.Nodes;

namespace TaskFlow.Core.Import;

/// <summary>Activity properties into node inputs and edge conditions.</summary>
internal sealed partial class ElsaConversion
{
    /// <summary>What a node input expects, which decides how a translated expression is wrapped.</summary>
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

        if (Reference(expression, condition: false) is not { } reference)
        {
            return false;
        }

        // A whole-value placeholder keeps the value's JSON type; a text input gets text, as Elsa converts it.
        value = JsonValue.Create(shape == ValueShape.Text ? $"{{{{ string({reference}) }}}}" : $"{{{{ {reference} }}}}");
        return true;
    }

    /// <summary>A TaskFlow condition for a decision, or null when the condition cannot be translated faithfully.</summary>
    private string? ConvertCondition(ElsaExpression expression)
    {
        if (expression.Is(ElsaExpression.Literal))
        {
            return ElsaJson.Boolean(expression.Value) is { } flag ? (flag ? "true" : "false") : null;
        }

        return Reference(expression, condition: true);
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
