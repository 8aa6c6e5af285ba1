using System.Text.Json.Nodes;

namespace TaskFlow.Core.Templates.Json;

// A string holding at least one placeholder.
internal sealed class TemplateJsonPart(Template template, string path) : JsonPart
{
    public override JsonNode? Render(JsonObject scope, Scripting.ScriptEffects? effects)
    {
        try
        {
            return template.Render(scope);
        }
        catch (TemplateEvaluationException ex)
        {
            throw ex.WithPath(path);
        }
    }
}
