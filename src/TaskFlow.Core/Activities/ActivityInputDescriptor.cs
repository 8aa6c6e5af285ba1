using System.Text.Json.Nodes;

namespace TaskFlow.Core.Activities;

/// <summary>One input an activity accepts.</summary>
/// <param name="Name">camelCase input name as written in definitions.</param>
/// <param name="Type">JSON type: string, number, integer, boolean, object, array or any.</param>
public sealed record ActivityInputDescriptor(
    string Name,
    string Type,
    bool Required = false,
    string? Description = null,
    JsonNode? Default = null,
    IReadOnlyList<string>? AllowedValues = null);
