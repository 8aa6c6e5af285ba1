using System.Net;
using System.Text.Json.Nodes;
using TaskFlow.Server.Tests.Infrastructure;
using TaskFlow.Testing;

namespace TaskFlow.Server.Tests.Mcp;

/// <summary>The fleet's tools and one call to try a tool, against the reference "everything" server from npm.</summary>
public sealed class McpToolsApiTests
{
    private static Dictionary<string, string?> Fleet()
    {
        var settings = new Dictionary<string, string?> { ["TaskFlow:Mcp:Servers:everything:Tier"] = "2" };
        McpTestServers.Configure(settings, "everything", McpTestServers.Everything());
        return settings;
    }

    [Fact]
    public async Task Tools_ListEachToolWithItsServerAndInputSchema()
    {
        await using var app = await TaskFlowApp.StartAsync(TaskFlowApp.Sqlite, Fleet());

        var tools = await app.GetAsync<JsonArray>("/api/mcp/tools");

        var echo = tools.Single(t => (string?)t!["name"] == "echo")!;
        Assert.Equal("everything", (string?)echo["server"]);
        Assert.Equal("string", (string?)echo["inputSchema"]!["properties"]!["message"]!["type"]);
    }

    [Fact]
    public async Task Call_ATool_ReturnsItsResultAndTheServer()
    {
        await using var app = await TaskFlowApp.StartAsync(TaskFlowApp.Sqlite, Fleet());

        using var response = await app.Client.PostAsync("/api/mcp/tools/call", TaskFlowApp.JsonBody("""{ "tool": "echo", "server": "everything", "arguments": { "message": "hi" } }"""));

        var result = await TaskFlowApp.ReadAsync(response);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("everything", (string?)result["server"]);
        Assert.False((bool)result["isError"]!);
        Assert.Equal("Echo: hi", (string?)result["text"]);
    }

    [Theory]
    [InlineData("""{ "arguments": {} }""", "tool is missing")]
    [InlineData("""{ "tool": "echo", "server": "nowhere" }""", "There is no MCP server 'nowhere'")]
    public async Task Call_BadRequest_Is400SayingWhy(string body, string expected)
    {
        await using var app = await TaskFlowApp.StartAsync(TaskFlowApp.Sqlite, Fleet());

        using var response = await app.Client.PostAsync("/api/mcp/tools/call", TaskFlowApp.JsonBody(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, (string?)(await TaskFlowApp.ReadAsync(response))["detail"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Call_ToolNoServerHas_Is502NamingIt()
    {
        await using var app = await TaskFlowApp.StartAsync(TaskFlowApp.Sqlite, Fleet());

        using var response = await app.Client.PostAsync("/api/mcp/tools/call", TaskFlowApp.JsonBody("""{ "tool": "no_such_tool" }"""));

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Contains("no_such_tool", (string?)(await TaskFlowApp.ReadAsync(response))["detail"], StringComparison.Ordinal);
    }
}
