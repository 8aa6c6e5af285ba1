using System.Text.Json.Nodes;

namespace TaskFlow.Core.Templates.Json;

// A subtree without templates, snapshotted at compile time and cloned on every render.
internal sealed class ConstantJsonPart(JsonNode? value) : JsonPart
{
    public override JsonNode? Render(JsonObject scope, Scripting.ScriptEffects? effects) => value?.DeepClone();
}
