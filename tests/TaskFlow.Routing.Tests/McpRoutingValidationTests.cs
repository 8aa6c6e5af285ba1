using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace TaskFlow.Routing.Tests;

/// <summary>Workspace policies of the fleet's servers, checked at start with every problem named.</summary>
public sealed class McpRoutingValidationTests
{
    [Fact]
    public void Problems_WorkspacePolicyMistakes_AreAllNamedAtStart()
    {
        var options = new McpRoutingOptions
        {
            Servers =
            {
                ["vm"] = new UpstreamServerOptions { Command = "node", Workspace = new UpstreamWorkspaceOptions { Mode = "vm" } },
                ["image"] = new UpstreamServerOptions { Command = "node", Workspace = new UpstreamWorkspaceOptions { Mode = "container", Image = "node 22" } },
                ["relative"] = new UpstreamServerOptions { Command = "node", Workspace = new UpstreamWorkspaceOptions { Mounts = ["opt/mcp", "/opt/../etc"] } },
                ["folder"] = new UpstreamServerOptions { Command = "node", WorkingDirectory = "/srv", Workspace = new UpstreamWorkspaceOptions() },
                ["web"] = new UpstreamServerOptions { Transport = "http", Url = "http://127.0.0.1:1/mcp", Workspace = new UpstreamWorkspaceOptions() },
                ["fine"] = new UpstreamServerOptions { Command = "node", Workspace = new UpstreamWorkspaceOptions { Mounts = ["/opt/mcp"] } },
                ["in-container"] = new UpstreamServerOptions { Command = "node", Workspace = new UpstreamWorkspaceOptions { Mode = "container", Image = "node:22-slim" } },
                ["auto"] = new UpstreamServerOptions { Command = "node", Workspace = new UpstreamWorkspaceOptions { Mode = "auto" } },
            },
        };

        var error = Assert.Throws<RoutingConfigurationException>(() => new McpRouter(Options.Create(options), new RoutingMetrics(), NullLoggerFactory.Instance, TimeProvider.System));

        Assert.Equal(
            [
                "TaskFlow:Mcp:Servers:vm:Workspace:Mode: 'vm' is not offered for MCP servers; use process (the bubblewrap sandbox), container (a container through the Docker engine) or auto",
                "TaskFlow:Mcp:Servers:image:Workspace:Image: 'node 22' is not an image reference",
                "TaskFlow:Mcp:Servers:relative:Workspace:Mounts: 'opt/mcp' must be an absolute host path without '..'",
                "TaskFlow:Mcp:Servers:relative:Workspace:Mounts: '/opt/../etc' must be an absolute host path without '..'",
                "TaskFlow:Mcp:Servers:folder:WorkingDirectory: a confined server runs in its workspace folder; leave WorkingDirectory out",
                "TaskFlow:Mcp:Servers:web:Workspace: only stdio servers (processes TaskFlow starts) can be confined to a workspace",
            ],
            error.Problems);
    }
}
