using System.Text.Json.Nodes;

namespace TaskFlow.Core.Import;

/// <summary>
/// An activity property as Elsa 3 writes it: <c>{"typeName":"String","expression":{"type":"Literal","value":"..."}}</c>,
/// a plain JSON value (read as a literal), or a bare <c>memoryReference</c>, which older exports use to read a variable.
/// </summary>
internal sealed record ElsaExpression(string Language, JsonNode? Value, string? TypeName)
{
    public const string Literal = "Literal";
    public const string Object = "Object";
    public const string Variable = "Variable";
    public const string JavaScript = "JavaScript";
    public const string CSharp = "CSharp";
    public const string Liquid = "Liquid";

    /// <summary>Not an Elsa language: a property bound to a memory block, which is a variable when the id is one.</summary>
    public const string MemoryReference = "MemoryReference";

    /// <summary>The source text, for messages and for keeping an expression that cannot be translated.</summary>
    public string Text => ElsaJson.String(Value) ?? Value?.ToJsonString() ?? "";

    public bool Is(string language) => string.Equals(Language, language, StringComparison.OrdinalIgnoreCase);

    /// <summary>Null when the property is absent or holds no value.</summary>
    public static ElsaExpression? Read(JsonNode? property)
    {
        // A bare expression, { "type": "JavaScript", "value": "..." }, as hand-written files put it.
        if (property is JsonObject { Count: 2 } bare && ElsaJson.String(bare["type"]) is { } language && bare.ContainsKey("value") && !bare.ContainsKey("id"))
        {
            return new ElsaExpression(language, bare["value"], null);
        }

        if (property is not JsonObject wrapper || !(wrapper.ContainsKey("expression") || wrapper.ContainsKey("typeName") || wrapper.ContainsKey("memoryReference")))
        {
            return property is null ? null : new ElsaExpression(Literal, property, null);
        }

        var typeName = ElsaJson.String(wrapper["typeName"]);
        switch (wrapper["expression"])
        {
            case JsonObject expression:
                return new ElsaExpression(ElsaJson.String(expression["type"]) ?? Literal, expression["value"], typeName);
            case JsonValue text:
                return new ElsaExpression(Literal, text, typeName);
        }

        return ElsaJson.String(ElsaJson.Object(wrapper["memoryReference"])?["id"]) is { Length: > 0 } id
            ? new ElsaExpression(MemoryReference, JsonValue.Create(id), typeName)
            : null;
    }
}
