using System.Text.Json.Nodes;
using TaskFlow.Core.Serialization;
using TaskFlow.Engine.Runtime;

namespace TaskFlow.Server.Api;

/// <summary>A stored definition version; <see cref="Definition"/> is the document in the workflow format, ready to edit and PUT back.</summary>
public sealed record DefinitionResponse(string Id, int Version, string? Name, DateTimeOffset CreatedAt, JsonNode Definition)
{
    public static DefinitionResponse From(DefinitionView view) =>
        new(view.Id, view.Version, view.Name, view.CreatedAt, JsonNode.Parse(WorkflowJson.Serialize(view.Definition))!);
}

/// <summary>One version in a definition's history.</summary>
public sealed record DefinitionVersionResponse(string Id, int Version, string? Name, DateTimeOffset CreatedAt);
