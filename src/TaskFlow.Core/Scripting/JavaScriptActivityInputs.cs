using System.Text.Json.Nodes;
using TaskFlow.Core.Activities;

namespace TaskFlow.Core.Scripting;

/// <summary>
/// A <c>javascript</c> node's <c>script</c> is JavaScript, not a template: it is read as
/// <c>{ "js": script }</c>, so the engine evaluates it while rendering the node's inputs (with the
/// instance's scope and variable writes) and the activity outputs the value.
/// </summary>
public static class JavaScriptActivityInputs
{
    public const string Script = "script";

    /// <summary>The inputs with a string <c>script</c> of a javascript node wrapped; other inputs unchanged (not copied).</summary>
    public static JsonObject Normalize(string? activityType, JsonObject inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (activityType != BuiltInActivities.JavaScript || inputs[Script] is not JsonValue value || !value.TryGetValue(out string? source))
        {
            return inputs;
        }

        var normalized = (JsonObject)inputs.DeepClone();
        normalized[Script] = ScriptObject.FromJavaScript(source);
        return normalized;
    }
}
