namespace TaskFlow.Core.Templates.Evaluation;

// Deep equality for ==, != and contains(): no type coercion (1 != "1"),
// numbers by value (1 == 1.0), strings ordinally, objects regardless of property order.
internal static class ValueEquality
{
    public static bool AreEqual(Value left, Value right, EvaluationContext context)
    {
        context.Step();
        if (left.Kind != right.Kind)
        {
            return false;
        }

        switch (left.Kind)
        {
            case ValueKind.Null:
                return true;
            case ValueKind.Boolean:
                return left.AsBoolean == right.AsBoolean;
            case ValueKind.Number:
                return left.HasDecimal && right.HasDecimal
                    ? left.AsNumber == right.AsNumber
                    : left.AsDouble.Equals(right.AsDouble);
            case ValueKind.String:
                return string.Equals(left.AsString, right.AsString, StringComparison.Ordinal);
            case ValueKind.Array:
                return ArraysEqual(left, right, context);
            default:
                return ObjectsEqual(left, right, context);
        }
    }

    private static bool ArraysEqual(Value left, Value right, EvaluationContext context)
    {
        if (left.Count != right.Count)
        {
            return false;
        }

        for (var i = 0; i < left.Count; i++)
        {
            if (!AreEqual(left.GetItem(i), right.GetItem(i), context))
            {
                return false;
            }
        }

        return true;
    }

    private static bool ObjectsEqual(Value left, Value right, EvaluationContext context)
    {
        var a = left.AsObject;
        var b = right.AsObject;
        if (a.Count != b.Count)
        {
            return false;
        }

        foreach (var (name, node) in a)
        {
            if (!b.TryGetPropertyValue(name, out var other) || !AreEqual(Value.FromNode(node), Value.FromNode(other), context))
            {
                return false;
            }
        }

        return true;
    }
}
