using System.Text.Json.Nodes;
using TaskFlow.Server.Tests.Infrastructure;

namespace TaskFlow.Server.Tests.Api;

public sealed class ActivitiesApiTests
{
    [Theory]
    [MemberData(nameof(TaskFlowApp.Providers), MemberType = typeof(TaskFlowApp))]
    public async Task Get_Catalog_ListsBuiltInsWithSchemas(string provider)
    {
        await using var app = await TaskFlowApp.StartAsync(provider);

        var catalog = await app.GetAsync<JsonArray>("/api/activities");

        var types = catalog.Select(a => (string)a!["type"]!).ToArray();
        Assert.Subset(new HashSet<string>(types), new HashSet<string> { "noop", "transform", "join", "delay", "sleep", "fail", "foreach", "workflow" });
        var delay = catalog.Single(a => (string?)a!["type"] == "delay")!;
        Assert.False(string.IsNullOrEmpty((string?)delay["description"]));
        Assert.False(string.IsNullOrEmpty((string?)delay["category"]));
        Assert.Contains("done", delay["outcomes"]!.AsArray().Select(o => (string?)o));
        Assert.Equal("object", (string?)delay["inputSchema"]!["type"]);
        Assert.NotNull(delay["inputSchema"]!["properties"]!["duration"]);
    }
}
