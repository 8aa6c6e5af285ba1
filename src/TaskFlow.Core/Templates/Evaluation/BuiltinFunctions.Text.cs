using System.Globalization;
using System.Text;
using TaskFlow.Core.Templates.Ast;

namespace TaskFlow.Core.Templates.Evaluation;

internal static partial class BuiltinFunctions
{
    // upper(s), invariant culture; null for null.
    private static Value Upper(ExprNode[] arguments, EvaluationContext context) =>
        MapString("upper", arguments[0].Evaluate(context), static s => s.ToUpperInvariant());

    // lower(s), invariant culture; null for null.
    private static Value Lower(ExprNode[] arguments, EvaluationContext context) =>
        MapString("lower", arguments[0].Evaluate(context), static s => s.ToLowerInvariant());

    // string(x): the same text interpolation would produce; "" for null.
    private static Value ToStringValue(ExprNode[] arguments, EvaluationContext context) =>
        Value.FromString(ValueText.ToText(arguments[0].Evaluate(context), context));

    // json(x): compact JSON text; "null" for null, quoted for strings.
    private static Value Json(ExprNode[] arguments, EvaluationContext context) =>
        Value.FromString(ValueText.ToJson(arguments[0].Evaluate(context), context));

    // number(x): numbers as they are, strings parsed in invariant culture, true/false as 1/0; null for null.
    private static Value ToNumber(ExprNode[] arguments, EvaluationContext context)
    {
        var value = arguments[0].Evaluate(context);
        switch (value.Kind)
        {
            case ValueKind.Null or ValueKind.Number:
                return value;
            case ValueKind.Boolean:
                return Value.FromNumber(value.AsBoolean ? 1 : 0);
            case ValueKind.String:
                var text = value.AsString.Trim();
                if (decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent,
                        CultureInfo.InvariantCulture, out var number))
                {
                    return Value.FromNumber(number);
                }

                var shown = text.Length <= 40 ? text : text[..40] + "...";
                throw new EvaluationFailedException($"number() cannot convert the string '{shown}' to a number");
            default:
                throw WrongType("number", "a string, number or boolean", value);
        }
    }

    // join(array, separator): items as text (null as ""); null for null.
    private static Value Join(ExprNode[] arguments, EvaluationContext context)
    {
        var array = arguments[0].Evaluate(context);
        var separator = arguments[1].Evaluate(context);
        if (separator.Kind != ValueKind.String)
        {
            throw new EvaluationFailedException($"join() expects a string as separator, got {separator.TypeName}");
        }

        if (array.IsNull)
        {
            return Value.Null;
        }

        if (array.Kind != ValueKind.Array)
        {
            throw WrongType("join", "an array", array);
        }

        var builder = new StringBuilder();
        for (var i = 0; i < array.Count; i++)
        {
            context.Step();
            var text = ValueText.ToText(array.GetItem(i), context);
            var added = (i > 0 ? separator.AsString.Length : 0) + text.Length;

            // Check before appending: a long separator times many items must fail, not allocate.
            context.CheckLength((long)builder.Length + added);
            if (i > 0)
            {
                builder.Append(separator.AsString);
            }

            builder.Append(text);
        }

        context.ChargeText(builder.Length);
        return Value.FromString(builder.ToString());
    }

    // default(x, fallback): fallback when x is null or missing; fallback is evaluated only then.
    private static Value Default(ExprNode[] arguments, EvaluationContext context)
    {
        var value = arguments[0].Evaluate(context);
        return value.IsNull ? arguments[1].Evaluate(context) : value;
    }

    private static Value MapString(string function, Value value, Func<string, string> map) => value.Kind switch
    {
        ValueKind.Null => Value.Null,
        ValueKind.String => Value.FromString(map(value.AsString)),
        _ => throw WrongType(function, "a string", value),
    };
}
