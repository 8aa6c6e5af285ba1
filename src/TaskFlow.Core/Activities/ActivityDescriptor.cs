using System.Text.Json.Nodes;

namespace TaskFlow.Core.Activities;

/// <summary>What the catalog knows about an activity type: enough to validate a node and draw a form.</summary>
public sealed record ActivityDescriptor(
    string Type,
    string Category,
    string Description,
    IReadOnlyList<ActivityInputDescriptor> Inputs,
    IReadOnlyList<string> Outcomes)
{
    /// <summary>Outcome every activity has unless it declares its own.</summary>
    public const string DefaultOutcome = "done";

    /// <summary>
    /// True when running the activity touches nothing outside its instance: its result depends only
    /// on its rendered inputs, and running it twice does no harm. Such a step may run inside the
    /// commit that made it due (docs/engine.md, "Pure steps run inline").
    /// </summary>
    public bool Pure { get; init; }

    /// <summary>What a person reads for the type (the palette's label); see <see cref="ActivityDisplayName"/>.</summary>
    public string DisplayName { get; init; } = ActivityDisplayName.Of(Type);

    /// <summary>The inputs as a JSON Schema object (draft 2020-12 subset) for forms and documentation.</summary>
    public JsonObject InputSchema()
    {
        var properties = new JsonObject();
        var required = new JsonArray();
        foreach (var input in Inputs)
        {
            var property = new JsonObject();
            if (input.Type != "any")
            {
                property["type"] = input.Type;
            }

            if (input.Description is not null)
            {
                property["description"] = input.Description;
            }

            if (input.Default is not null)
            {
                property["default"] = input.Default.DeepClone();
            }

            if (input.AllowedValues is { Count: > 0 } allowed)
            {
                property["enum"] = new JsonArray(allowed.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());
            }

            properties[input.Name] = property;
            if (input.Required)
            {
                required.Add(input.Name);
            }
        }

        return new JsonObject
        {
            ["type"] = "object",
            ["properties"] = properties,
            ["required"] = required,
        };
    }
}
