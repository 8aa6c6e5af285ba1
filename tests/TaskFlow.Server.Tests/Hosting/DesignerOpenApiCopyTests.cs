using System.Text.Json;
using System.Text.Json.Nodes;
using TaskFlow.Server.Tests.Deployment;
using TaskFlow.Server.Tests.Infrastructure;

namespace TaskFlow.Server.Tests.Hosting;

/// <summary>
/// The designer generates its API types at build time from its copy of the server's OpenAPI
/// document (src/TaskFlow.Designer/openapi.json). This keeps the copy equal to what the server
/// serves, so a server change reaches the designer's type check instead of drifting past it.
/// </summary>
public sealed class DesignerOpenApiCopyTests
{
    private static readonly string Copy = DeploymentFiles.InRepository("src", "TaskFlow.Designer", "openapi.json");

    [Fact]
    public async Task DesignersCopy_IsTheDocumentTheServerServes()
    {
        await using var app = await TaskFlowApp.StartAsync(TaskFlowApp.Sqlite);
        var served = await app.GetAsync<JsonObject>("/openapi/v1.json");
        // The servers list names the address the document was asked at; it is no part of the API.
        served.Remove("servers");

        var copy = JsonNode.Parse(await File.ReadAllTextAsync(Copy))!;
        if (!JsonNode.DeepEquals(served, copy))
        {
            var current = Path.Combine(DeploymentFiles.RepositoryRoot, "artifacts", "test-results", "openapi.json");
            Directory.CreateDirectory(Path.GetDirectoryName(current)!);
            await File.WriteAllTextAsync(current, served.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
            Assert.Fail($"The server's OpenAPI document differs from the designer's copy at {Copy} ({FirstDifference(served, copy, "$")}). "
                + $"The document as served is in {current}: copy it over the designer's, then build; the designer's type check says whether it still fits.");
        }
    }

    private static string FirstDifference(JsonNode? served, JsonNode? copy, string path)
    {
        if (served is JsonObject a && copy is JsonObject b)
        {
            foreach (var name in a.Select(p => p.Key).Union(b.Select(p => p.Key)))
            {
                if (!JsonNode.DeepEquals(a[name], b[name]))
                {
                    return FirstDifference(a[name], b[name], $"{path}.{name}");
                }
            }
        }

        return $"first at {path}";
    }
}
