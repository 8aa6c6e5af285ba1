using System.Net;
using System.Text.Json.Nodes;
using TaskFlow.Server.Tests.Infrastructure;

namespace TaskFlow.Server.Tests.Hosting;

public sealed class OpenApiTests
{
    [Fact]
    public async Task Document_WithKey_DescribesEveryApiRoute()
    {
        await using var app = await TaskFlowApp.StartAsync(TaskFlowApp.Sqlite);

        var document = await app.GetAsync<JsonObject>("/openapi/v1.json");

        var paths = document["paths"]!.AsObject().Select(p => p.Key).ToArray();
        foreach (var expected in new[] { "/api/definitions", "/api/definitions/{id}", "/api/definitions/{id}/versions", "/api/definitions/{id}/run", "/api/instances", "/api/instances/{id}", "/api/instances/{id}/journal", "/api/instances/{id}/cancel", "/api/activities", "/api/validate" })
        {
            Assert.Contains(expected, paths);
        }

        var schemes = document["components"]!["securitySchemes"]!.AsObject();
        Assert.Equal("bearer", (string?)schemes["Bearer"]!["scheme"]);
        Assert.Equal("X-Api-Key", (string?)schemes["X-Api-Key"]!["name"]);
    }

    [Fact]
    public async Task Docs_WithKey_ServesTheApiReferencePage()
    {
        await using var app = await TaskFlowApp.StartAsync(TaskFlowApp.Sqlite);

        using var response = await app.Client.GetAsync("/docs/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("openapi/v1.json", await response.Content.ReadAsStringAsync());
    }
}
