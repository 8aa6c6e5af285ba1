using System.Collections.Frozen;
using TaskFlow.Core.Templates.Ast;

namespace TaskFlow.Core.Templates.Evaluation;

// The fixed whitelist of functions. Templates cannot call anything else: there is no reflection
// and no way to register code from a workflow definition.
internal static partial class BuiltinFunctions
{
    private static readonly FrozenDictionary<string, BuiltinFunction> Functions = new BuiltinFunction[]
    {
        new("length", 1, Length),
        new("range", 2, Range),
        new("upper", 1, Upper),
        new("lower", 1, Lower),
        new("string", 1, ToStringValue),
        new("number", 1, ToNumber),
        new("join", 2, Join),
        new("contains", 2, Contains),
        new("default", 2, Default),
        new("json", 1, Json),
        new("keys", 1, Keys),
    }.ToFrozenDictionary(f => f.Name, StringComparer.Ordinal);

    public static IEnumerable<string> Names => Functions.Keys.Order(StringComparer.Ordinal);

    public static bool TryGet(string name, out BuiltinFunction function) => Functions.TryGetValue(name, out function!);

    private static EvaluationFailedException WrongType(string function, string expected, Value got) =>
        new($"{function}() expects {expected}, got {got.TypeName}");

    private static Value[] EvaluateAll(ExprNode[] arguments, EvaluationContext context)
    {
        var values = new Value[arguments.Length];
        for (var i = 0; i < arguments.Length; i++)
        {
            values[i] = arguments[i].Evaluate(context);
        }

        return values;
    }
}
