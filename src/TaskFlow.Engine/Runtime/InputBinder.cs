using System.Text.Json;
using System.Text.Json.Nodes;
using TaskFlow.Core.Model;

namespace TaskFlow.Engine.Runtime;

/// <summary>An instance input that does not fit the definition's declared inputs.</summary>
public sealed class WorkflowInputException(IReadOnlyList<string> problems)
    : Exception("The input is invalid: " + string.Join(" ", problems))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}

/// <summary>Checks an instance input against the declared inputs and fills in defaults. Undeclared members pass through.</summary>
internal static class InputBinder
{
    public static JsonObject Bind(WorkflowDefinition definition, JsonObject input)
    {
        var result = (JsonObject)input.DeepClone();
        var problems = new List<string>();
        foreach (var (name, declared) in definition.Inputs)
        {
            if (!result.TryGetPropertyValue(name, out var value) || value is null)
            {
                if (declared.Default is not null)
                {
                    result[name] = declared.Default.DeepClone();
                }
                else if (declared.Required)
                {
                    problems.Add($"Input '{name}' is required.");
                }

                continue;
            }

            var kind = value.GetValueKind();
            var fits = declared.Type switch
            {
                "string" => kind == JsonValueKind.String,
                "number" => kind == JsonValueKind.Number,
                "integer" => kind == JsonValueKind.Number && decimal.TryParse(value.ToJsonString(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var number) && number == decimal.Truncate(number),
                "boolean" => kind is JsonValueKind.True or JsonValueKind.False,
                "object" => kind == JsonValueKind.Object,
                "array" => kind == JsonValueKind.Array,
                _ => true,
            };
            if (!fits)
            {
                problems.Add($"Input '{name}' must be of type {declared.Type}, not {kind.ToString().ToLowerInvariant()}.");
            }
        }

        return problems.Count == 0 ? result : throw new WorkflowInputException(problems);
    }
}
