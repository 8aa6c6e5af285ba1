using System.Text.Json.Nodes;

namespace TaskFlow.Core.Templates.Json;

// A compiled piece of a templated JSON tree; rendering always builds new nodes.
internal abstract class JsonPart
{
    public abstract JsonNode? Render(JsonObject scope, Scripting.ScriptEffects? effects);
}
