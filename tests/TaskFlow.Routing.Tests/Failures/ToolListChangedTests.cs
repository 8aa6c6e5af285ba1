using System.Text.Json.Nodes;
using TaskFlow.Routing.Tests.Router;

namespace TaskFlow.Routing.Tests.Failures;

/// <summary>
/// A server whose tools change while it runs and which sends
/// <c>notifications/tools/list_changed</c>. The everything server sends one only once, right
/// after it starts, so this is a fixture (Fixtures/changing-tools-server.js) that adds a tool
/// when asked, or while it answers its first listing.
/// </summary>
public sealed class ToolListChangedTests : RouterFailureTest
{
    [Fact]
    public async Task CallToolAsync_ToolAddedWithListChanged_NextCallRoutesToIt()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var router = Fixture.Create(new() { ["changing"] = RouterFixture.Stdio(NodeFixtures.Launch("changing-tools-server.js")) });
        await router.ListToolsAsync(guard.Token);

        // The listing is cached (for ToolCacheTtl): without the notification the router would
        // keep answering that nobody offers the new tool.
        var before = await Assert.ThrowsAsync<McpRoutingException>(() => router.CallToolAsync(new McpToolCall("fresh_tool"), guard.Token));
        Assert.Equal("No MCP server offers tool 'fresh_tool', and no routing rule matches it.", before.Message);

        // The notification is a separate message, handled apart from the answer to add_tool:
        // wait (bounded) until it has been seen before calling the new tool.
        var notified = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        router.Servers.Single().ToolsChanged += _ => notified.TrySetResult();
        await router.CallToolAsync(new McpToolCall("add_tool", new JsonObject { ["text"] = "fresh_tool" }), guard.Token);
        await notified.Task.WaitAsync(guard.Token);

        var outcome = await router.CallToolAsync(new McpToolCall("fresh_tool"), guard.Token);

        Assert.Equal(("changing", "fresh_tool ran"), (outcome.Server, NodeFixtures.Text(outcome.Result)));
        Assert.Contains("fresh_tool", router.GetStatus().Single().Tools!);
    }

    [Fact]
    public async Task CallToolAsync_ListChangedArrivesWhileAListingIsInFlight_TheStaleListingIsNotCached()
    {
        // The fixture answers its first listing without late_tool, but adds late_tool and sends
        // list_changed first; the listing's answer comes half a second after the notification.
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var router = Fixture.Create(new()
        {
            ["changing"] = RouterFixture.Stdio(NodeFixtures.Launch("changing-tools-server.js", new Dictionary<string, string>
            {
                ["ADD_ON_FIRST_LIST"] = "late_tool",
                ["LIST_DELAY_MS"] = "500",
            })),
        });

        var outcome = await router.CallToolAsync(new McpToolCall("late_tool"), guard.Token);

        Assert.Equal(("changing", "late_tool ran"), (outcome.Server, NodeFixtures.Text(outcome.Result)));
        Assert.Contains("late_tool", router.GetStatus().Single().Tools!);
    }

    [Fact]
    public async Task CallToolAsync_PreferredOwnerSendsListChanged_ToolsItSharesStillRouteToIt()
    {
        // Both servers offer add_tool; the tier-1 one owns it. Its list_changed must not hand its
        // tools to the tier-4 one until it is listed again.
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var router = Fixture.Create(new()
        {
            ["best"] = RouterFixture.Stdio(NodeFixtures.Launch("changing-tools-server.js"), tier: 1),
            ["spare"] = RouterFixture.Stdio(NodeFixtures.Launch("changing-tools-server.js"), tier: 4),
        });
        await router.ListToolsAsync(guard.Token);
        var notified = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        router.Servers.Single(s => s.Name == "best").ToolsChanged += _ => notified.TrySetResult();
        await router.CallToolAsync(new McpToolCall("add_tool", new JsonObject { ["text"] = "extra_tool" }, Server: "best"), guard.Token);
        await notified.Task.WaitAsync(guard.Token);

        var shared = await router.CallToolAsync(new McpToolCall("add_tool", new JsonObject { ["text"] = "second_tool" }), guard.Token);
        var added = await router.CallToolAsync(new McpToolCall("extra_tool"), guard.Token);

        Assert.Equal(("best", "added second_tool"), (shared.Server, NodeFixtures.Text(shared.Result)));
        Assert.Equal(("best", "extra_tool ran"), (added.Server, NodeFixtures.Text(added.Result)));
    }
}
