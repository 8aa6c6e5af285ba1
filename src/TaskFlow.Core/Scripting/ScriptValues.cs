using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Jint;
using Jint.Native;
using Jint.Native.Json;

namespace TaskFlow.Core.Scripting;

// Conversions between the instance's JSON and JavaScript values. JSON goes in as plain objects
// (converted lazily, see LazyJsonObject), arrays and primitives (numbers as doubles); values come back out as JSON.stringify would write
// them, so a Date becomes its ISO string, undefined and functions become null.
internal static class ScriptValues
{
    public static JsValue ToJs(Engine engine, JsonNode? node)
    {
        switch (node)
        {
            case null:
                return JsValue.Null;
            case JsonObject obj:
                return new LazyJsonObject(engine, obj);
            case JsonArray array:
                var items = new JsValue[array.Count];
                for (var i = 0; i < items.Length; i++)
                {
                    items[i] = ToJs(engine, array[i]);
                }

                return new JsArray(engine, items);
            default:
                var primitive = (JsonValue)node;
                return primitive.GetValueKind() switch
                {
                    JsonValueKind.String => JsString.Create(primitive.GetValue<string>()),
                    JsonValueKind.Number => JsNumber.Create(ToDouble(primitive)),
                    JsonValueKind.True => JsBoolean.True,
                    JsonValueKind.False => JsBoolean.False,
                    _ => JsValue.Null,
                };
        }
    }

    public static JsonNode? ToJson(Engine engine, JsValue value)
    {
        if (value.IsUndefined() || value.IsNull())
        {
            return null;
        }

        if (value.IsString())
        {
            return JsonValue.Create(value.AsString());
        }

        if (value.IsBoolean())
        {
            return JsonValue.Create(value.AsBoolean());
        }

        if (value.IsNumber())
        {
            return FromDouble(value.AsNumber());
        }

        var text = new Jint.Native.Json.JsonSerializer(engine).Serialize(value);
        return text.IsString() ? JsonNode.Parse(text.AsString()) : null;
    }

    private static double ToDouble(JsonValue value) =>
        value.TryGetValue<double>(out var number)
            ? number
            : double.Parse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture);

    // Whole numbers stay integers in JSON (3, not 3.0); NaN and infinities become null, as in JSON.stringify.
    private static JsonNode? FromDouble(double number)
    {
        if (double.IsNaN(number) || double.IsInfinity(number))
        {
            return null;
        }

        // Parsed rather than created, so the value reads as any .NET number type (GetValue<int>,
        // GetValue<decimal>, ...) as stored node outputs do.
        var text = Math.Abs(number) < 9007199254740992d && number == Math.Floor(number)
            ? ((long)number).ToString(CultureInfo.InvariantCulture)
            : number.ToString("R", CultureInfo.InvariantCulture);
        return JsonNode.Parse(text);
    }
}
