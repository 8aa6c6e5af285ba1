using TaskFlow.Core.Templates.Ast;

namespace TaskFlow.Core.Templates.Evaluation;

internal static partial class BuiltinFunctions
{
    // length(x): characters of a string, items of an array, properties of an object; 0 for null.
    private static Value Length(ExprNode[] arguments, EvaluationContext context)
    {
        var value = arguments[0].Evaluate(context);
        return value.Kind switch
        {
            ValueKind.Null => Value.FromNumber(0),
            ValueKind.String or ValueKind.Array or ValueKind.Object => Value.FromNumber(value.Count),
            _ => throw WrongType("length", "a string, array or object", value),
        };
    }

    // range(start, endInclusive): whole numbers from start to end; empty when end < start.
    private static Value Range(ExprNode[] arguments, EvaluationContext context)
    {
        var start = WholeNumber(arguments[0].Evaluate(context), "start");
        var end = WholeNumber(arguments[1].Evaluate(context), "end");
        var count = end - start + 1;
        if (count <= 0)
        {
            return Value.FromArray([]);
        }

        if (count > TemplateLimits.MaxRangeItems)
        {
            throw new EvaluationFailedException(
                $"range({JsonNumber.Format(start)}, {JsonNumber.Format(end)}) would produce {JsonNumber.Format(count)} items; the limit is {TemplateLimits.MaxRangeItems}");
        }

        context.Charge((int)count);
        var items = new Value[(int)count];
        for (var i = 0; i < items.Length; i++)
        {
            items[i] = Value.FromNumber(start + i);
        }

        return Value.FromArray(items);
    }

    // contains(x, value): an array item deep-equal to value, a substring, or an object key; false for null.
    private static Value Contains(ExprNode[] arguments, EvaluationContext context)
    {
        var haystack = arguments[0].Evaluate(context);
        var needle = arguments[1].Evaluate(context);
        switch (haystack.Kind)
        {
            case ValueKind.Null:
                return Value.False;
            case ValueKind.String:
                return Value.FromBoolean(!needle.IsNull &&
                    haystack.AsString.Contains(ValueText.ToText(needle, context), StringComparison.Ordinal));
            case ValueKind.Object:
                return Value.FromBoolean(needle.Kind == ValueKind.String && haystack.AsObject.ContainsKey(needle.AsString));
            case ValueKind.Array:
                for (var i = 0; i < haystack.Count; i++)
                {
                    if (ValueEquality.AreEqual(haystack.GetItem(i), needle, context))
                    {
                        return Value.True;
                    }
                }

                return Value.False;
            default:
                throw WrongType("contains", "an array, string or object", haystack);
        }
    }

    // keys(obj): property names in order; null for null.
    private static Value Keys(ExprNode[] arguments, EvaluationContext context)
    {
        var value = arguments[0].Evaluate(context);
        if (value.IsNull)
        {
            return Value.Null;
        }

        if (value.Kind != ValueKind.Object)
        {
            throw WrongType("keys", "an object", value);
        }

        var obj = value.AsObject;
        context.Charge(obj.Count);
        var names = new Value[obj.Count];
        var i = 0;
        foreach (var (name, _) in obj)
        {
            names[i++] = Value.FromString(name);
        }

        return Value.FromArray(names);
    }

    private static decimal WholeNumber(Value value, string name)
    {
        if (value.Kind != ValueKind.Number)
        {
            throw WrongType("range", $"a whole number as {name}", value);
        }

        var number = value.AsNumber;
        if (number != decimal.Truncate(number))
        {
            throw new EvaluationFailedException($"range() expects a whole number as {name}, got {JsonNumber.Format(number)}");
        }

        return number;
    }
}
