using TaskFlow.Server.SampleWorkflows;

namespace TaskFlow.Server.Api;

/// <summary><c>/api/samples</c>: the sample workflows shipped with the server, to open in the designer.</summary>
internal static class SamplesApi
{
    public static void MapSamplesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/samples").WithTags("Samples");
        group.MapGet("/", () => TypedResults.Ok(WorkflowSamples.Installed.List().Select(s => new SampleSummary(s.Id, s.Name, s.Description, s.Nodes)).ToArray()))
            .WithSummary("The sample workflows shipped with the server (the repository's workflows/ folder): id, name, description and node count. Nothing is stored until one is saved.")
            .Produces<SampleSummary[]>();
        group.MapGet("/{id}", (string id) => WorkflowSamples.Installed.Find(id) is { } sample
                ? Results.Json(sample.Definition)
                : ApiProblems.NotFound($"There is no sample workflow '{id}'; GET /api/samples lists them."))
            .WithSummary("One sample's definition, in the workflow format, ready to save.")
            .ProducesProblem(StatusCodes.Status404NotFound);
    }
}

/// <summary>A sample workflow as the list shows it.</summary>
public sealed record SampleSummary(string Id, string Name, string? Description, int Nodes);
