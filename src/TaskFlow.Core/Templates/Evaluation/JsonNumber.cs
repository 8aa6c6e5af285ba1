using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace TaskFlow.Core.Templates.Evaluation;

// Reads numbers from any JsonValue and writes computed numbers back.
internal static class JsonNumber
{
    // Dividing by 1 with 28 decimal places drops trailing zeros: 2.50m * 2 is 5.00m, shown as 5.
    private const decimal NormalizingOne = 1.0000000000000000000000000000m;

    public static bool TryRead(JsonValue value, out decimal number)
    {
        // JsonValue.Create(int) does not convert to decimal; values parsed from JSON do.
        if (value.TryGetValue(out number))
        {
            return true;
        }

        if (value.TryGetValue(out int i))
        {
            number = i;
            return true;
        }

        if (value.TryGetValue(out long l))
        {
            number = l;
            return true;
        }

        // Doubles, floats and other primitives: go through their shortest round-trip JSON text,
        // so 0.1d becomes 0.1m and not 0.1000000000000000055511151231.
        return decimal.TryParse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out number);
    }

    public static double ReadDouble(JsonValue value) =>
        double.Parse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture);

    public static decimal Normalize(decimal number) => number / NormalizingOne;

    public static string Format(decimal number) => Normalize(number).ToString(CultureInfo.InvariantCulture);

    // A node backed by a JsonElement, like numbers read from JSON, so callers can use
    // GetValue<int>(), GetValue<long>() or GetValue<double>() on it.
    public static JsonValue ToNode(decimal number) => JsonValue.Create(JsonElement.Parse(Format(number)))!;
}
