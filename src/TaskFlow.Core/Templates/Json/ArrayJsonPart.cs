using System.Text.Json.Nodes;

namespace TaskFlow.Core.Templates.Json;

// An array with at least one templated value somewhere below it.
internal sealed class ArrayJsonPart(JsonPart[] items) : JsonPart
{
    public override JsonNode? Render(JsonObject scope, Scripting.ScriptEffects? effects)
    {
        var result = new JsonArray();
        foreach (var item in items)
        {
            result.Add(item.Render(scope, effects));
        }

        return result;
    }
}
