using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace TaskFlow.Core.Import;

/// <summary>Turns Elsa's .NET type names and string-encoded values into JSON values and TaskFlow input types.</summary>
internal static class ElsaValues
{
    private static readonly HashSet<string> Integers = new(StringComparer.OrdinalIgnoreCase)
        { "Int16", "Int32", "Int64", "UInt16", "UInt32", "UInt64", "Byte", "SByte", "short", "int", "long", "ushort", "uint", "ulong", "byte", "sbyte" };

    private static readonly HashSet<string> Numbers = new(StringComparer.OrdinalIgnoreCase)
        { "Single", "Double", "Decimal", "float", "double", "decimal" };

    private static readonly HashSet<string> Booleans = new(StringComparer.OrdinalIgnoreCase) { "Boolean", "bool" };

    private static readonly HashSet<string> Texts = new(StringComparer.OrdinalIgnoreCase)
        { "String", "string", "Char", "char", "Guid", "DateTime", "DateTimeOffset", "DateOnly", "TimeOnly", "TimeSpan", "Uri" };

    private static readonly HashSet<string> Objects = new(StringComparer.OrdinalIgnoreCase)
        { "JsonObject", "ExpandoObject", "ObjectDictionary", "IDictionary", "Dictionary", "JObject" };

    private static readonly HashSet<string> Anything = new(StringComparer.OrdinalIgnoreCase)
        { "Object", "object", "dynamic", "JsonNode", "JsonElement", "JToken" };

    /// <summary>
    /// <c>System.Int32, System.Private.CoreLib</c> → <c>Int32</c>; <c>IDictionary&lt;String, Object&gt;</c> → <c>IDictionary</c>;
    /// <c>String[]</c> stays as it is so that arrays can be recognised.
    /// </summary>
    public static string? ShortTypeName(string? typeName)
    {
        if (string.IsNullOrWhiteSpace(typeName))
        {
            return null;
        }

        var name = typeName.Trim();
        var generic = name.IndexOfAny(['<', '`']);
        if (generic > 0)
        {
            name = name[..generic];
        }

        var comma = name.IndexOf(',');
        if (comma > 0)
        {
            name = name[..comma];
        }

        var dot = name.LastIndexOf('.');
        return dot >= 0 ? name[(dot + 1)..] : name;
    }

    public static bool IsArrayType(string? typeName) =>
        ShortTypeName(typeName) is { } name && (name.EndsWith("[]", StringComparison.Ordinal) || name is "List" or "IList" or "ICollection" or "IEnumerable" or "JsonArray" or "JArray");

    /// <summary>The value Elsa would make of <paramref name="text"/> for a property or variable of <paramref name="typeName"/>.</summary>
    public static JsonNode? Typed(string text, string? typeName, bool isArray = false)
    {
        var name = ShortTypeName(typeName);
        if (isArray || IsArrayType(typeName) || (name is not null && (Objects.Contains(name) || Anything.Contains(name))))
        {
            return TryParseJson(text) ?? JsonValue.Create(text);
        }

        if (name is not null && Booleans.Contains(name) && bool.TryParse(text, out var flag))
        {
            return JsonValue.Create(flag);
        }

        if (name is not null && Integers.Contains(name) && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var integer))
        {
            return JsonValue.Create(integer);
        }

        if (name is not null && Numbers.Contains(name) && decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            return JsonValue.Create(number);
        }

        return JsonValue.Create(text);
    }

    /// <summary>The TaskFlow input type for an Elsa input declaration; null when there is no good match.</summary>
    public static string? InputType(string? typeName, bool isArray)
    {
        var name = ShortTypeName(typeName);
        return isArray || IsArrayType(typeName) ? "array"
            : name is null ? "any"
            : Booleans.Contains(name) ? "boolean"
            : Integers.Contains(name) ? "integer"
            : Numbers.Contains(name) ? "number"
            : Texts.Contains(name) ? "string"
            : Objects.Contains(name) ? "object"
            : Anything.Contains(name) ? "any"
            : null;
    }

    public static JsonNode? TryParseJson(string text)
    {
        try
        {
            return JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
