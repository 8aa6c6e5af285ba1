using System.Text.Json.Nodes;
using TaskFlow.Engine.Runtime;

namespace TaskFlow.Server.Api;

/// <summary><c>GET /api/activities</c>: the activity catalog, with each type's input schema.</summary>
internal static class ActivitiesApi
{
    public static void MapActivitiesApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/activities", (WorkflowRuntime runtime) => TypedResults.Ok(runtime.Catalog.Descriptors.Values
                .OrderBy(d => d.Category, StringComparer.Ordinal).ThenBy(d => d.Type, StringComparer.Ordinal)
                .Select(d => new ActivityResponse(d.Type, d.DisplayName, d.Category, d.Description, d.Outcomes, d.InputSchema(), d.Pure))
                .ToArray()))
            .WithTags("Activities")
            .WithSummary("Every activity type this server runs: category, description, outcomes and input JSON Schema.");
    }
}

/// <param name="Pure">True when the type touches nothing outside its instance, so a step of it may run inside the commit that made it due (docs/engine.md, "Pure steps run inline").</param>
public sealed record ActivityResponse(string Type, string DisplayName, string Category, string Description, IReadOnlyList<string> Outcomes, JsonObject InputSchema, bool Pure);
