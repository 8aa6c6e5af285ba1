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
        // host: the server it names must be one confined to a workspace.
        if (AsksForWorkspace(context.Workspace) && WorkspaceProblem(inputs.Server) is { } workspaceProblem)
        {
            return ActivityResult.Failed(workspaceProblem, retryable: false);
        }

        McpCallOutcome outcome;
        try
        {
            outcome = await router.CallToolAsync(new McpToolCall(inputs.Tool, inputs.Arguments, context.Tier, inputs.Server, timeout), context.CancellationToken);
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
        });
    }

    // Mode "none" (the default) asks for no isolation where an activity can run without one;
    // "isolation" is the deprecated spelling of the mode.
    private static bool AsksForWorkspace(TaskFlow.Core.Model.WorkspacePolicy? policy) =>
        policy is not null
        && (!string.Equals(policy.Mode, "none", StringComparison.OrdinalIgnoreCase)
            || (policy.Extensions?.TryGetValue("isolation", out var isolation) == true && !string.Equals(isolation?.ToString(), "none", StringComparison.OrdinalIgnoreCase)));

    private string? WorkspaceProblem(string? server) =>
        server is not { Length: > 0 }
            ? "The node has a workspace policy: name the 'server' to call, one with a Workspace policy of its own (TaskFlow:Mcp:Servers:NAME:Workspace), so that the call runs inside a workspace rather than on the host."
            : router.IsConfined(server) switch
            {
                null => null, // An unknown server fails the call itself, naming it.
                false => $"The node has a workspace policy, but MCP server '{server}' runs on the host: give it a Workspace policy (TaskFlow:Mcp:Servers:{server}:Workspace) to run it inside a workspace.",
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
