using System.Text.Json;
using System.Text.Json.Nodes;

namespace TaskFlow.Core.Templates.Evaluation;

// A value during evaluation. Scope data is referenced, never copied or mutated, until a result
// leaves the evaluator through ToJsonNode; arrays built by the expression are plain arrays.
internal readonly struct Value
{
    // string for strings; JsonValue for numbers read from the scope; JsonArray/JsonObject from the scope;
    // Value[] for arrays built by the expression.
    private readonly object? _reference;
    private readonly decimal _number;

    // The boolean itself, or for numbers whether _number holds the value (false: outside decimal range).
    private readonly bool _flag;

    private Value(ValueKind kind, decimal number, object? reference, bool flag)
    {
        Kind = kind;
        _number = number;
        _reference = reference;
        _flag = flag;
    }

    public static Value Null => default;

    public static Value True { get; } = new(ValueKind.Boolean, 0, null, flag: true);

    public static Value False { get; } = new(ValueKind.Boolean, 0, null, flag: false);

    public ValueKind Kind { get; }

    public bool IsNull => Kind == ValueKind.Null;

    public bool AsBoolean => _flag;

    public string AsString => (string)_reference!;

    public JsonObject AsObject => (JsonObject)_reference!;

    // The number, or an evaluation error when it does not fit the decimal arithmetic.
    public decimal AsNumber => _flag
        ? _number
        : throw new EvaluationFailedException(
            $"the number {((JsonNode)_reference!).ToJsonString()} is outside the supported range (about ±7.9e28)");

    public double AsDouble => _flag ? (double)_number : JsonNumber.ReadDouble((JsonValue)_reference!);

    // Whether the number fits the decimal arithmetic; false only for huge values such as 1e300.
    public bool HasDecimal => _flag;

    // The number as it was written in the scope, when it came from there.
    public JsonValue? SourceNumber => Kind == ValueKind.Number ? _reference as JsonValue : null;

    public JsonNode? SourceNode => _reference as JsonNode;

    // Items of an array, properties of an object, characters of a string.
    public int Count => _reference switch
    {
        Value[] items => items.Length,
        JsonArray array => array.Count,
        JsonObject obj => obj.Count,
        string text => text.Length,
        _ => 0,
    };

    public bool IsTruthy => Kind switch
    {
        ValueKind.Null => false,
        ValueKind.Boolean => _flag,
        ValueKind.Number => _flag ? _number != 0 : AsDouble != 0,
        ValueKind.String => AsString.Length > 0,
        ValueKind.Array => Count > 0,
        _ => true,
    };

    public string TypeName => Kind switch
    {
        ValueKind.Null => "null",
        ValueKind.Boolean => "boolean",
        ValueKind.Number => "number",
        ValueKind.String => "string",
        ValueKind.Array => "array",
        _ => "object",
    };

    // "a string", "an array", ... for messages.
    public string TypeNameWithArticle => Kind is ValueKind.Array or ValueKind.Object ? "an " + TypeName : "a " + TypeName;

    public static Value FromBoolean(bool value) => value ? True : False;

    public static Value FromNumber(decimal value) => new(ValueKind.Number, value, null, flag: true);

    public static Value FromString(string value) => new(ValueKind.String, 0, value, flag: false);

    public static Value FromArray(Value[] items) => new(ValueKind.Array, 0, items, flag: false);

    public static Value FromNode(JsonNode? node)
    {
        switch (node)
        {
            case null:
                return Null;
            case JsonObject obj:
                return new(ValueKind.Object, 0, obj, flag: false);
            case JsonArray array:
                return new(ValueKind.Array, 0, array, flag: false);
        }

        var value = (JsonValue)node;
        switch (value.GetValueKind())
        {
            case JsonValueKind.True:
                return True;
            case JsonValueKind.False:
                return False;
            case JsonValueKind.Number:
                var fits = JsonNumber.TryRead(value, out var number);
                return new(ValueKind.Number, number, value, fits);
            case JsonValueKind.String:
                // Values such as JsonValue.Create(Guid) are strings in JSON but not System.String inside.
                var text = value.TryGetValue(out string? s) ? s : JsonElement.Parse(value.ToJsonString()).GetString();
                return FromString(text!);
            case JsonValueKind.Object or JsonValueKind.Array:
                // A JsonValue wrapping a POCO; look at it the way a JSON reader would.
                return FromNode(JsonNode.Parse(value.ToJsonString()));
            default:
                return Null;
        }
    }

    public Value GetItem(int index) => _reference switch
    {
        Value[] items => items[index],
        JsonArray array => FromNode(array[index]),
        _ => throw new InvalidOperationException($"A {TypeName} has no items."),
    };

    // A node the caller owns: scope data is deep-cloned so it can be attached to another tree,
    // values computed here are created fresh.
    public JsonNode? ToJsonNode()
    {
        switch (Kind)
        {
            case ValueKind.Null:
                return null;
            case ValueKind.Boolean:
                return JsonValue.Create(_flag);
            case ValueKind.String:
                return JsonValue.Create(AsString);
            case ValueKind.Number:
                return _reference is JsonNode number ? number.DeepClone() : JsonNumber.ToNode(_number);
        }

        if (_reference is Value[] items)
        {
            var nodes = new JsonNode?[items.Length];
            for (var i = 0; i < items.Length; i++)
            {
                nodes[i] = items[i].ToJsonNode();
            }

            return new JsonArray(nodes);
        }

        return ((JsonNode)_reference!).DeepClone();
    }
}
