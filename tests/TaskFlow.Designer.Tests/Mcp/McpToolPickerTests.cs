using TaskFlow.Designer.Tests.Infrastructure;
using TaskFlow.Testing;
using static Microsoft.Playwright.Assertions;

namespace TaskFlow.Designer.Tests.Mcp;

/// <summary>The mcp.call editor against a real fleet: the reference "everything" server (tier 1) and the memory server (tier 2), from npm.</summary>
[Collection(DesignerCollection.Name)]
public sealed class McpToolPickerTests(DesignerFixture fixture) : IAsyncLifetime
{
    private const string ViewerKey = "designer-viewer-key-0123456789abcdef";
    private readonly string _memoryFile = Path.Combine(Path.GetTempPath(), $"taskflow-designer-memory-{Guid.NewGuid():N}.jsonl");
    private DesignerServer _server = null!;

    public Task InitializeAsync()
    {
        var settings = new Dictionary<string, string?>
        {
            ["TaskFlow:Mcp:Servers:everything:Tier"] = "1",
            ["TaskFlow:Mcp:Servers:memory:Tier"] = "2",
            ["TaskFlow:Server:Keys:0:Name"] = "reader",
            ["TaskFlow:Server:Keys:0:Role"] = "viewer",
            ["TaskFlow:Server:Keys:0:Key"] = ViewerKey,
        };
        McpTestServers.Configure(settings, "everything", McpTestServers.Everything());
        McpTestServers.Configure(settings, "memory", McpTestServers.Memory(_memoryFile));
        _server = DesignerServer.Start(settings);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        File.Delete(_memoryFile);
    }

    [Fact]
    public async Task McpCall_PickingARealTool_DrawsItsArgumentsForm_TryItCallsIt_AndTheRunUsesThem()
    {
        await using var designer = await DesignerPage.OpenAsync(fixture.Browser, _server, nameof(McpCall_PickingARealTool_DrawsItsArgumentsForm_TryItCallsIt_AndTheRunUsesThem));
        await designer.DropAsync("mcp.call", 300, 200);
        await designer.SelectNodeAsync("mcp-call-1");

        // The fleet by tier, each server with its state and breaker.
        var page = designer.Page;
        await Expect(page.GetByTestId("mcp-tier-1").GetByTestId("mcp-server-everything")).ToHaveAttributeAsync("data-state", "Ready");
        await Expect(page.GetByTestId("mcp-tier-2").GetByTestId("mcp-server-memory")).ToHaveAttributeAsync("data-breaker", "Closed");
        await Expect(page.GetByTestId("mcp-server-breaker-everything")).ToContainTextAsync("breaker closed");
        await Expect(page.GetByTestId("mcp-tool-memory-read_graph")).ToBeVisibleAsync();

        await page.GetByTestId("mcp-filter").FillAsync("echo");
        await page.GetByTestId("mcp-tool-everything-echo").ClickAsync();
        await Expect(page.GetByTestId("input-tool")).ToHaveValueAsync("echo");
        await Expect(page.GetByTestId("mcp-selected")).ToHaveAttributeAsync("data-server", "everything");
        await designer.FillAsync("argument-message", "hello from the picker");
        await designer.ScreenshotAsync("picked");

        await page.GetByTestId("mcp-try").ClickAsync();
        await Expect(page.GetByTestId("mcp-try-result")).ToHaveAttributeAsync("data-error", "false");
        await Expect(page.GetByTestId("mcp-try-text")).ToHaveTextAsync("Echo: hello from the picker");
        await designer.ScreenshotAsync("tried");

        // The arguments went into the node: saved and run, the node calls the tool with them.
        await designer.SaveAsync();
        await Expect(page.GetByTestId("title")).ToContainTextAsync("v1");
        var run = await _server.PostAsync("/api/definitions/new-workflow/run?wait=true&timeout=60", "{}");
        Assert.Equal("Succeeded", run["status"]!.GetValue<string>());
        var node = run["nodes"]!.AsArray().Single(n => n!["nodeId"]!.GetValue<string>() == "mcp-call-1")!;
        Assert.Equal("Echo: hello from the picker", node["output"]!["text"]!.GetValue<string>());
    }

    [Fact]
    public async Task TryIt_WithAViewerKey_SaysTheOperatorRoleIsNeeded()
    {
        await using var designer = await DesignerPage.OpenAsync(fixture.Browser, _server, nameof(TryIt_WithAViewerKey_SaysTheOperatorRoleIsNeeded), key: ViewerKey);
        await designer.DropAsync("mcp.call", 300, 200);
        await designer.SelectNodeAsync("mcp-call-1");
        await designer.Page.GetByTestId("mcp-tool-everything-echo").ClickAsync();
        await designer.FillAsync("argument-message", "not allowed");

        await designer.Page.GetByTestId("mcp-try").ClickAsync();

        await Expect(designer.Page.GetByTestId("mcp-try-error")).ToContainTextAsync("needs the operator role");
        await Expect(designer.Page.GetByTestId("mcp-try-result")).ToHaveCountAsync(0);
    }
}
