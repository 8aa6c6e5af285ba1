using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol;
using TaskFlow.Routing.Tests.Router;
using TaskFlow.Testing;

namespace TaskFlow.Routing.Tests.Failures;

/// <summary>
/// A tool list the size of claude-flow's: about 350 tools and over 256 KB of tools/list. No
/// server in the pinned npm set lists that many, so this is a fixture
/// (Fixtures/large-tool-list-server.js); the real everything server runs beside it.
/// </summary>
public sealed class LargeToolListTests : RouterFailureTest
{
    private const int ToolCount = 350;

    /// <param name="pageSize">0: the whole list in one answer (one stdout line); otherwise pages joined by nextCursor.</param>
    [Theory]
    [InlineData(0)]
    [InlineData(100)]
    public async Task ListToolsAsync_QuarterMegabyteList_ListsEveryTool_AndTheLastRoutesToItsOwner(int pageSize)
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var router = Fixture.Create(new()
        {
            ["swarm"] = RouterFixture.Stdio(NodeFixtures.Launch("large-tool-list-server.js", new Dictionary<string, string> { ["PAGE_SIZE"] = $"{pageSize}" })),
            ["everything"] = RouterFixture.Stdio(McpTestServers.Everything()),
        });

        var tools = await router.ListToolsAsync(guard.Token);

        var swarm = tools.Where(t => t.Server == "swarm").Select(t => t.Tool).ToList();
        Assert.Equal(Enumerable.Range(0, ToolCount).Select(i => $"tool_{i:000}"), swarm.Select(t => t.Name));
        var bytes = swarm.Sum(t => JsonSerializer.SerializeToUtf8Bytes(t, McpJsonUtilities.DefaultOptions).Length);
        Assert.True(bytes >= 256 * 1024, $"the fixture listed only {bytes} bytes of tools");
        Assert.Contains(tools, t => t.Server == "everything" && t.Tool.Name == "echo");

        var outcome = await router.CallToolAsync(new McpToolCall("tool_349", new JsonObject { ["field_0"] = "alpha_0" }), guard.Token);

        Assert.Equal(("swarm", "tool_349 ran with field_0=alpha_0"), (outcome.Server, NodeFixtures.Text(outcome.Result)));
    }
}
