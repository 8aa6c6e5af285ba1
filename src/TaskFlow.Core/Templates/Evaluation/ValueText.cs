using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace TaskFlow.Core.Templates.Evaluation;

// How values become text: in interpolation, + with a string, string(), join() and json().
internal static class ValueText
{
    // Template output is text for people and tools, not HTML: keep "é" and "<" readable instead of \u00E9.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly JsonSerializerOptions NodeOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    // Strings as they are, numbers in invariant culture, true/false, null as "", the rest as compact JSON.
    public static string ToText(Value value, EvaluationContext context) => value.Kind switch
    {
        ValueKind.Null => "",
        ValueKind.Boolean => value.AsBoolean ? "true" : "false",
        ValueKind.String => value.AsString,
        ValueKind.Number => value.SourceNumber is { } source ? source.ToJsonString() : JsonNumber.Format(value.AsNumber),
        _ => ToJson(value, context),
    };

    // Compact JSON; null is "null" and a string is quoted.
    public static string ToJson(Value value, EvaluationContext context)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            Write(writer, value, context);
        }

        context.ChargeText(buffer.WrittenCount);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void Write(Utf8JsonWriter writer, Value value, EvaluationContext context)
    {
        switch (value.Kind)
        {
            case ValueKind.Null:
                writer.WriteNullValue();
                break;
            case ValueKind.Boolean:
                writer.WriteBooleanValue(value.AsBoolean);
                break;
            case ValueKind.String:
                writer.WriteStringValue(value.AsString);
                break;
            case ValueKind.Number when value.SourceNumber is null:
                writer.WriteNumberValue(JsonNumber.Normalize(value.AsNumber));
                break;
            case ValueKind.Array when value.SourceNode is null:
                writer.WriteStartArray();
                for (var i = 0; i < value.Count; i++)
                {
                    context.Step();
                    Write(writer, value.GetItem(i), context);
                }

                writer.WriteEndArray();
                break;
            default:
                value.SourceNode!.WriteTo(writer, NodeOptions);
                break;
        }
    }
}
