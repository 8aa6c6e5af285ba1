using System.Text.Json.Nodes;

namespace TaskFlow.Core.Templates.Json;

// An object with at least one templated value somewhere below it.
internal sealed class ObjectJsonPart(KeyValuePair<string, JsonPart>[] properties) : JsonPart
{
    public override JsonNode? Render(JsonObject scope, Scripting.ScriptEffects? effects)
    {
        var result = new JsonObject();
        foreach (var (name, part) in properties)
        {
            result.Add(name, part.Render(scope, effects));
        }

        return result;
    }
}
