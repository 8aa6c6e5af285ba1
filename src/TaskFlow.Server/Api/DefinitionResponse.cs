using System.Text.Json.Nodes;
using TaskFlow.Core.Serialization;
using TaskFlow.Engine.Runtime;

namespace TaskFlow.Server.Api;

/// <summary>A stored definition version; <see cref="Definition"/> is the document in the workflow format, ready to edit and PUT back.</summary>
/// <param name="IsPublished">Whether this version is the one runs by id, cron triggers and child workflows use.</param>
/// <param name="PublishedVersion">The definition's published version, when known (it may be older than this one).</param>
public sealed record DefinitionResponse(string Id, int Version, string? Name, DateTimeOffset CreatedAt, bool IsPublished, int? PublishedVersion, JsonNode Definition)
{
    public static DefinitionResponse From(DefinitionView view) =>
        new(view.Id, view.Version, view.Name, view.CreatedAt, view.IsPublished, view.PublishedVersion, JsonNode.Parse(WorkflowJson.Serialize(view.Definition))!);
}

/// <summary>One version in a definition's history.</summary>
public sealed record DefinitionVersionResponse(string Id, int Version, string? Name, DateTimeOffset CreatedAt, bool IsPublished);
