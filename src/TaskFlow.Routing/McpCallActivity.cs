using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using TaskFlow.Core.Activities;
using TaskFlow.Core.Model;
using TaskFlow.Engine.Activities;

namespace TaskFlow.Routing;

/// <summary>
/// <c>mcp.call</c>: calls a tool through the router. The node's tier is the call's tier. A tool
/// error (<c>isError</c>) fails the node with the tool's message and is not retried (the tool
/// answered); a call that reached no server fails it retryably, so the node's retry policy applies.
/// </summary>
[Activity("mcp.call", Category = "MCP", Description = "Calls an MCP tool through the router (rules, failover, breakers). Output: { server, tool, content, structuredContent }.")]
public sealed class McpCallActivity(McpRouter router) : Activity<McpCallActivity.Inputs>
{
    protected override async ValueTask<ActivityResult> ExecuteAsync(Inputs inputs, ActivityContext context)
    {
        TimeSpan? timeout = null;
        if (inputs.Timeout is { Length: > 0 } text)
        {
            if (!Duration.TryParse(text, out var parsed))
            {
                return ActivityResult.Failed($"'timeout' is '{text}', which is not a duration (e.g. 30s).", retryable: false);
            }

            timeout = parsed;
        }

        // A node that asks for a workspace never has its call land on a server running on the
        // host: the server it names must be one confined to a workspace, or one of which a
        // confined copy is made for the call.
        var confinedCopy = false;
        if (AsksForWorkspace(context.Workspace))
        {
            if (inputs.Server is { Length: > 0 } named && router.ConfinesWhenAsked(named))
            {
                if (NodeMode(context.Workspace!) is { } mode && !UpstreamWorkspaceOptions.Modes.Contains(mode, StringComparer.OrdinalIgnoreCase))
                {
                    return ActivityResult.Failed($"The node's workspace policy asks for mode '{mode}', but a confined copy of MCP server '{named}' runs in mode process, container or auto.", retryable: false);
                }

                confinedCopy = true;
            }
            else if (WorkspaceProblem(inputs.Server) is { } workspaceProblem)
            {
                return ActivityResult.Failed(workspaceProblem, retryable: false);
            }
        }

        McpCallOutcome outcome;
        try
        {
            var call = new McpToolCall(inputs.Tool, inputs.Arguments, context.Tier, inputs.Server, timeout);
            outcome = confinedCopy
                ? await router.CallConfinedAsync(inputs.Server!, policy => WithNode(policy, context.Workspace!), call, context.CancellationToken)
                : await router.CallToolAsync(call, context.CancellationToken);
        }
        catch (McpRoutingException ex)
        {
            return ActivityResult.Failed(ex.Message, retryable: true);
        }

        var content = JsonSerializer.SerializeToNode(outcome.Result.Content, McpJsonUtilities.DefaultOptions);
        if (outcome.Result.IsError == true)
        {
            var message = string.Join(" ", outcome.Result.Content.OfType<TextContentBlock>().Select(t => t.Text));
            return ActivityResult.Failed($"Tool '{inputs.Tool}' on '{outcome.Server}' reported an error: {(message.Length > 0 ? message : "(no message)")}", retryable: false);
        }

        return ActivityResult.Succeeded(new JsonObject
        {
            ["server"] = outcome.Server,
            ["tool"] = inputs.Tool,
            ["content"] = content,
            ["structuredContent"] = outcome.Result.StructuredContent is { } structured ? JsonNode.Parse(structured.GetRawText()) : null,
            ["text"] = string.Join("\n", outcome.Result.Content.OfType<TextContentBlock>().Select(t => t.Text)),
            ["confined"] = confinedCopy || router.IsConfined(outcome.Server) == true,
        });
    }

    // Mode "none" (the default) asks for no isolation where an activity can run without one;
    // "isolation" is the deprecated spelling of the mode.
    private static bool AsksForWorkspace(TaskFlow.Core.Model.WorkspacePolicy? policy) =>
        policy is not null
        && (!string.Equals(policy.Mode, "none", StringComparison.OrdinalIgnoreCase)
            || (policy.Extensions?.TryGetValue("isolation", out var isolation) == true && !string.Equals(isolation?.ToString(), "none", StringComparison.OrdinalIgnoreCase)));

    /// <summary>The mode a node's policy names (its deprecated spelling <c>isolation</c> too); null for <c>none</c>, which takes the server's.</summary>
    private static string? NodeMode(TaskFlow.Core.Model.WorkspacePolicy policy)
    {
        var mode = !string.Equals(policy.Mode, "none", StringComparison.OrdinalIgnoreCase)
            ? policy.Mode
            : policy.Extensions?.TryGetValue("isolation", out var isolation) == true ? isolation?.ToString() : null;
        return mode is null || string.Equals(mode, "none", StringComparison.OrdinalIgnoreCase) ? null : mode.ToLowerInvariant();
    }

    /// <summary>The server's workspace policy with the node's mode, image and limits over it.</summary>
    private static UpstreamWorkspaceOptions WithNode(UpstreamWorkspaceOptions policy, TaskFlow.Core.Model.WorkspacePolicy node)
    {
        policy.Mode = NodeMode(node) ?? policy.Mode;
        policy.Image = node.Image ?? policy.Image;
        return WithNodeLimits(policy, node.Limits);
    }

    /// <summary>The server's workspace policy with the node's limits (<c>memory</c>, <c>cpus</c>, <c>pids</c>, <c>disk</c>, <c>network</c>) over it.</summary>
    private static UpstreamWorkspaceOptions WithNodeLimits(UpstreamWorkspaceOptions policy, JsonObject? limits)
    {
        if (limits is null)
        {
            return policy;
        }

        if (limits["memory"] is JsonValue memory)
        {
            policy.Memory = memory.ToString();
        }

        if (limits["disk"] is JsonValue disk)
        {
            policy.Disk = disk.ToString();
        }

        if (limits["cpus"] is JsonValue cpus && cpus.TryGetValue<double>(out var cores))
        {
            policy.Cpus = cores;
        }

        if (limits["pids"] is JsonValue pids && pids.TryGetValue<int>(out var count))
        {
            policy.Pids = count;
        }

        if (limits["network"] is JsonValue network && network.TryGetValue<bool>(out var allowed))
        {
            policy.Network = allowed;
        }

        return policy;
    }

    private string? WorkspaceProblem(string? server) =>
        server is not { Length: > 0 }
            ? "The node has a workspace policy: name the 'server' to call, one with a Workspace policy of its own (TaskFlow:Mcp:Servers:NAME:Workspace), so that the call runs inside a workspace rather than on the host."
            : router.IsConfined(server) switch
            {
                null => null, // An unknown server fails the call itself, naming it.
                false => $"The node has a workspace policy, but MCP server '{server}' runs on the host: give it a Workspace policy (TaskFlow:Mcp:Servers:{server}:Workspace) to run it inside a workspace, with OnlyWhenAsked true to confine it only for nodes that ask.",
                true => null,
            };

    public sealed class Inputs
    {
        [Required]
        [Description("The tool: a rule pattern's name (memory.store), the upstream's own name, or server.tool.")]
        public string Tool { get; set; } = "";

        [Description("A server to call instead of routing by rule.")]
        public string? Server { get; set; }

        [Description("The tool's arguments; values may be templates.")]
        public JsonObject? Arguments { get; set; }

        [Description("How long the call may take, e.g. 30s; the router's CallTimeout when omitted.")]
        public string? Timeout { get; set; }
    }
}
