using TaskFlow.Core.Templates.Ast;

namespace TaskFlow.Core.Templates.Evaluation;

// The binary operators other than &&, || and ??, which short-circuit.
internal static class Operators
{
    public static string Symbol(BinaryOperator op) => op switch
    {
        BinaryOperator.Add => "+",
        BinaryOperator.Subtract => "-",
        BinaryOperator.Multiply => "*",
        BinaryOperator.Divide => "/",
        BinaryOperator.Remainder => "%",
        BinaryOperator.Equal => "==",
        BinaryOperator.NotEqual => "!=",
        BinaryOperator.Less => "<",
        BinaryOperator.LessOrEqual => "<=",
        BinaryOperator.Greater => ">",
        _ => ">=",
    };

    public static Value Apply(BinaryOperator op, Value left, Value right, EvaluationContext context) => op switch
    {
        BinaryOperator.Add => Add(left, right, context),
        BinaryOperator.Equal => Value.FromBoolean(ValueEquality.AreEqual(left, right, context)),
        BinaryOperator.NotEqual => Value.FromBoolean(!ValueEquality.AreEqual(left, right, context)),
        BinaryOperator.Less => Value.FromBoolean(Compare(op, left, right) < 0),
        BinaryOperator.LessOrEqual => Value.FromBoolean(Compare(op, left, right) <= 0),
        BinaryOperator.Greater => Value.FromBoolean(Compare(op, left, right) > 0),
        BinaryOperator.GreaterOrEqual => Value.FromBoolean(Compare(op, left, right) >= 0),
        _ => Arithmetic(op, left, right),
    };

    public static Value Negate(Value operand)
    {
        if (operand.Kind != ValueKind.Number)
        {
            throw new EvaluationFailedException($"unary '-' needs a number, got {operand.TypeName}");
        }

        return Value.FromNumber(-operand.AsNumber);
    }

    private static Value Add(Value left, Value right, EvaluationContext context)
    {
        if (left.Kind == ValueKind.String || right.Kind == ValueKind.String)
        {
            var a = ValueText.ToText(left, context);
            var b = ValueText.ToText(right, context);
            context.ChargeText((long)a.Length + b.Length);
            return Value.FromString(string.Concat(a, b));
        }

        if (left.Kind != ValueKind.Number || right.Kind != ValueKind.Number)
        {
            throw new EvaluationFailedException(
                $"operator '+' needs two numbers or a string, got {left.TypeName} and {right.TypeName}");
        }

        return Arithmetic(BinaryOperator.Add, left, right);
    }

    private static Value Arithmetic(BinaryOperator op, Value left, Value right)
    {
        if (left.Kind != ValueKind.Number || right.Kind != ValueKind.Number)
        {
            throw new EvaluationFailedException(
                $"operator '{Symbol(op)}' needs two numbers, got {left.TypeName} and {right.TypeName}");
        }

        var a = left.AsNumber;
        var b = right.AsNumber;
        try
        {
            return Value.FromNumber(op switch
            {
                BinaryOperator.Add => a + b,
                BinaryOperator.Subtract => a - b,
                BinaryOperator.Multiply => a * b,
                BinaryOperator.Divide => a / b,
                _ => a % b,
            });
        }
        catch (DivideByZeroException)
        {
            throw new EvaluationFailedException($"division by zero in '{Symbol(op)}'");
        }
        catch (OverflowException)
        {
            throw new EvaluationFailedException($"the result of '{Symbol(op)}' is outside the supported range (about ±7.9e28)");
        }
    }

    private static int Compare(BinaryOperator op, Value left, Value right)
    {
        if (left.Kind == ValueKind.Number && right.Kind == ValueKind.Number)
        {
            return left.HasDecimal && right.HasDecimal
                ? left.AsNumber.CompareTo(right.AsNumber)
                : left.AsDouble.CompareTo(right.AsDouble);
        }

        if (left.Kind == ValueKind.String && right.Kind == ValueKind.String)
        {
            return string.CompareOrdinal(left.AsString, right.AsString);
        }

        throw new EvaluationFailedException(
            $"operator '{Symbol(op)}' needs two numbers or two strings, got {left.TypeName} and {right.TypeName}");
    }
}
