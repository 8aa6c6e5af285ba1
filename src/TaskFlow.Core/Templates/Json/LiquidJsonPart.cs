using System.Text.Json.Nodes;
using TaskFlow.Core.Scripting;

namespace TaskFlow.Core.Templates.Json;

// A { "liquid": "..." } object: the rendered text replaces it.
internal sealed class LiquidJsonPart(LiquidTemplate template, string path) : JsonPart
{
    public override JsonNode? Render(JsonObject scope, ScriptEffects? effects)
    {
        try
        {
            return JsonValue.Create(template.Render(scope));
        }
        catch (TemplateEvaluationException ex)
        {
            throw ex.WithPath(path);
        }
    }
}
