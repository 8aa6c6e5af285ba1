using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using TaskFlow.Core.Activities;

namespace TaskFlow.Engine.Activities;

/// <summary>
/// Base for activities with typed inputs: the rendered inputs are bound to <typeparamref name="TInputs"/>
/// (camelCase JSON), and the catalog's input schema is read from its properties
/// (<see cref="RequiredAttribute"/>, <see cref="DescriptionAttribute"/>).
/// </summary>
public abstract class Activity<TInputs> : IActivity
    where TInputs : class, new()
{
    private static readonly JsonSerializerOptions BindOptions = new(JsonSerializerDefaults.Web);

    public async ValueTask<ActivityResult> ExecuteAsync(ActivityContext context)
    {
        TInputs inputs;
        try
        {
            inputs = context.Inputs.Deserialize<TInputs>(BindOptions) ?? new TInputs();
        }
        catch (JsonException ex)
        {
            return ActivityResult.Failed($"Inputs do not fit {typeof(TInputs).Name}: {ex.Message}", retryable: false);
        }

        // Validation at save time sees only literal values; a template can still render to null.
        var problems = new List<ValidationResult>();
        if (!Validator.TryValidateObject(inputs, new ValidationContext(inputs), problems, validateAllProperties: true))
        {
            return ActivityResult.Failed("Invalid inputs: " + string.Join(" ", problems.Select(p => p.ErrorMessage)), retryable: false);
        }

        return await ExecuteAsync(inputs, context);
    }

    protected abstract ValueTask<ActivityResult> ExecuteAsync(TInputs inputs, ActivityContext context);

    internal static IReadOnlyList<ActivityInputDescriptor> DescribeInputs() => DescribeInputs(typeof(TInputs));

    internal static IReadOnlyList<ActivityInputDescriptor> DescribeInputs(Type inputs) =>
        inputs.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite && p.GetCustomAttribute<System.Text.Json.Serialization.JsonIgnoreAttribute>() is null)
            .Select(p => new ActivityInputDescriptor(
                p.GetCustomAttribute<System.Text.Json.Serialization.JsonPropertyNameAttribute>()?.Name ?? JsonNamingPolicy.CamelCase.ConvertName(p.Name),
                JsonTypeOf(p.PropertyType),
                p.GetCustomAttribute<RequiredAttribute>() is not null,
                p.GetCustomAttribute<DescriptionAttribute>()?.Description))
            .ToArray();

    private static string JsonTypeOf(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type switch
        {
            _ when type == typeof(string) => "string",
            _ when type == typeof(bool) => "boolean",
            _ when type == typeof(int) || type == typeof(long) || type == typeof(short) => "integer",
            _ when type == typeof(double) || type == typeof(float) || type == typeof(decimal) => "number",
            _ when type == typeof(JsonArray) || (type != typeof(string) && typeof(System.Collections.IEnumerable).IsAssignableFrom(type) && !typeof(System.Collections.IDictionary).IsAssignableFrom(type) && type != typeof(JsonObject)) => "array",
            _ when type == typeof(JsonNode) || type == typeof(JsonElement) || type == typeof(object) => "any",
            _ => "object",
        };
    }
}
