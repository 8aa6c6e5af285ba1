using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using TaskFlow.Core.Model;
using TaskFlow.Engine.Hosting;
using TaskFlow.Engine.Runtime;
using TaskFlow.Routing.Hosting;
using TaskFlow.Testing;

namespace TaskFlow.Routing.Tests.Router;

/// <summary>The <c>mcp.call</c> activity in a real engine, configured as a user would, against real servers.</summary>
public sealed class McpCallActivityTests : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "taskflow-mcp-call-" + Guid.NewGuid().ToString("N")[..12]);
    private IHost? _host;

    private WorkflowRuntime Runtime => _host!.Services.GetRequiredService<WorkflowRuntime>();

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Path.Combine(_root, "files"));
        await File.WriteAllTextAsync(Path.Combine(_root, "files", "plan.txt"), "step one");
        var settings = new Dictionary<string, string?>
        {
            ["TaskFlow:Engine:DataDirectory"] = Path.Combine(_root, "data"),
            ["TaskFlow:Mcp:Rules"] = """
                routing_priorities:
                  - pattern: "files.*"
                    servers: ["fs"]
                    strategy: "dedicated"
                """,
        };
        McpTestServers.Configure(settings, "everything", McpTestServers.Everything());
        McpTestServers.Configure(settings, "fs", McpTestServers.Filesystem(Path.Combine(_root, "files")));
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddTaskFlowEngine().AddMcpRouter();
        _host = builder.Build();
        await _host.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.StopAsync();
            _host.Dispose();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_root, recursive: true);
    }

    //  echo(mcp.call everything.echo, tier 1) ──> read(mcp.call files.read_text_file by rule)
    [Fact]
    public async Task McpCall_TemplatedArguments_RoutedByRuleAndByName_OutputsTheToolsAnswer()
    {
        var path = Path.Combine(_root, "files", "plan.txt");
        await Runtime.SaveDefinitionAsync("""
            { "id": "mcp", "inputs": { "text": { "type": "string", "required": true } },
              "nodes": [
                { "id": "echo", "type": "mcp.call", "tier": 1, "inputs": { "tool": "everything.echo", "arguments": { "message": "{{ input.text }}" } } },
                { "id": "read", "type": "mcp.call", "inputs": { "tool": "files.read_text_file", "arguments": { "path": "PATH" }, "timeout": "20s" } } ],
              "edges": [ { "from": "echo", "to": "read" } ],
              "output": { "echo": "{{ nodes.echo.output.text }}", "file": "{{ nodes.read.output.text }}", "server": "{{ nodes.read.output.server }}" } }
            """.Replace("PATH", path, StringComparison.Ordinal));

        var id = await Runtime.StartAsync("mcp", new JsonObject { ["text"] = "hello" });
        var view = await Runtime.WaitAsync(id, TimeSpan.FromSeconds(60));

        Assert.Equal(InstanceStatus.Succeeded, view!.Status);
        Assert.Equal("""{"echo":"Echo: hello","file":"step one","server":"fs"}""", view.Output!.ToJsonString());
    }

    [Fact]
    public async Task McpCall_ToolError_FailsTheNodeWithTheToolsMessage()
    {
        await Runtime.SaveDefinitionAsync("""
            { "id": "denied", "nodes": [
                { "id": "read", "type": "mcp.call", "retry": { "maxAttempts": 3, "delay": "10ms" }, "inputs": { "tool": "fs.read_text_file", "arguments": { "path": "/etc/hostname" } } } ],
              "edges": [] }
            """);

        var id = await Runtime.StartAsync("denied");
        var view = await Runtime.WaitAsync(id, TimeSpan.FromSeconds(60));

        Assert.Equal(InstanceStatus.Failed, view!.Status);
        var read = view.Nodes.Single(n => n.NodeId == "read");
        Assert.Equal(1, read.Attempt);
        Assert.StartsWith("Tool 'fs.read_text_file' on 'fs' reported an error:", read.Error, StringComparison.Ordinal);
        Assert.Contains("outside allowed directories", read.Error, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task McpCall_NodeWithAWorkspacePolicy_ToAServerOnTheHost_FailsSayingSo_WithoutCallingIt()
    {
        var path = Path.Combine(_root, "files", "written-by-a-node-that-asked-for-a-workspace.txt");
        await Runtime.SaveDefinitionAsync("""
            { "id": "wants-workspace", "nodes": [
                { "id": "named", "type": "mcp.call", "workspace": { "mode": "process" }, "retry": { "maxAttempts": 3, "delay": "10ms" },
                  "inputs": { "tool": "write_file", "server": "fs", "arguments": { "path": "PATH", "content": "on the host" } } } ],
              "edges": [] }
            """.Replace("PATH", path, StringComparison.Ordinal));
        await Runtime.SaveDefinitionAsync("""
            { "id": "wants-workspace-unnamed", "nodes": [
                { "id": "unnamed", "type": "mcp.call", "workspace": { "mode": "process" }, "inputs": { "tool": "everything.echo", "arguments": { "message": "x" } } } ],
              "edges": [] }
            """);

        var named = await Runtime.WaitAsync(await Runtime.StartAsync("wants-workspace"), TimeSpan.FromSeconds(60));
        var unnamed = await Runtime.WaitAsync(await Runtime.StartAsync("wants-workspace-unnamed"), TimeSpan.FromSeconds(60));

        Assert.Equal(InstanceStatus.Failed, named!.Status);
        var node = named.Nodes.Single(n => n.NodeId == "named");
        Assert.Equal(1, node.Attempt);
        Assert.Equal("The node has a workspace policy, but MCP server 'fs' runs on the host: give it a Workspace policy (TaskFlow:Mcp:Servers:fs:Workspace) to run it inside a workspace, with OnlyWhenAsked true to confine it only for nodes that ask.", node.Error);
        Assert.False(File.Exists(path));
        Assert.Equal(InstanceStatus.Failed, unnamed!.Status);
        Assert.StartsWith("The node has a workspace policy: name the 'server' to call", unnamed.Nodes.Single(n => n.NodeId == "unnamed").Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task McpCall_NodeWithModeNone_AsksForNoWorkspace_AndCallsTheServer()
    {
        await Runtime.SaveDefinitionAsync("""
            { "id": "mode-none", "nodes": [
                { "id": "echo", "type": "mcp.call", "workspace": { "mode": "none" }, "inputs": { "tool": "everything.echo", "arguments": { "message": "plain" } } } ],
              "edges": [] }
            """);

        var view = await Runtime.WaitAsync(await Runtime.StartAsync("mode-none"), TimeSpan.FromSeconds(60));

        Assert.Equal(InstanceStatus.Succeeded, view!.Status);
    }

    //  doc(mcp.resource demo://.../instructions.md) ──> missing(mcp.resource nowhere://nothing)
    [Fact]
    public async Task McpResource_ReadsTheResourceFromTheServerThatListsIt_AndAnUnknownUriFailsForGood()
    {
        await Runtime.SaveDefinitionAsync("""
            { "id": "resources", "nodes": [
                { "id": "doc", "type": "mcp.resource", "inputs": { "uri": "demo://resource/static/document/instructions.md" } },
                { "id": "missing", "type": "mcp.resource", "retry": { "maxAttempts": 3, "delay": "10ms" }, "inputs": { "uri": "nowhere://nothing" } } ],
              "edges": [ { "from": "doc", "to": "missing" } ] }
            """);

        var id = await Runtime.StartAsync("resources");
        var view = await Runtime.WaitAsync(id, TimeSpan.FromSeconds(60));

        Assert.Equal(InstanceStatus.Failed, view!.Status);
        var doc = view.Nodes.Single(n => n.NodeId == "doc");
        Assert.Equal(NodeStatus.Succeeded, doc.Status);
        Assert.Equal("demo://resource/static/document/instructions.md", doc.Output!["contents"]![0]!["uri"]!.GetValue<string>());
        Assert.Equal("text/markdown", doc.Output["contents"]![0]!["mimeType"]!.GetValue<string>());
        Assert.False(string.IsNullOrWhiteSpace(doc.Output["text"]!.GetValue<string>()));
        var missing = view.Nodes.Single(n => n.NodeId == "missing");
        Assert.Equal(1, missing.Attempt);
        Assert.StartsWith("Resource 'nowhere://nothing' is not listed by any server of the fleet", missing.Error, StringComparison.Ordinal);
    }
}
