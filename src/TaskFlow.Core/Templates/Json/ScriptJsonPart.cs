using System.Text.Json.Nodes;
using TaskFlow.Core.Scripting;

namespace TaskFlow.Core.Templates.Json;

// A { "js": "..." } object: the script's value replaces it.
internal sealed class ScriptJsonPart(JavaScriptExpression script, string path) : JsonPart
{
    public override JsonNode? Render(JsonObject scope, ScriptEffects? effects)
    {
        try
        {
            return script.Evaluate(scope, effects);
        }
        catch (TemplateEvaluationException ex)
        {
            throw ex.WithPath(path);
        }
    }
}
