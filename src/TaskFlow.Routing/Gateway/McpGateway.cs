using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace TaskFlow.Routing.Gateway;

/// <summary>
/// The fleet as one MCP server: lists every upstream's tools under collision-safe names and
/// forwards calls through the router (so rules, breakers and tiers apply). Host-agnostic: the
/// server maps it at <c>/mcp</c> over Streamable HTTP, <c>taskflow mcp gateway</c> over stdio.
/// </summary>
public sealed class McpGateway(McpRouter router, IOptions<McpRoutingOptions> options)
{
    private volatile Dictionary<string, (string Server, string Tool)> _names = new(StringComparer.Ordinal);

    public McpRouter Router => router;

    /// <summary>Every tool of every reachable server, named for the gateway.</summary>
    public async Task<ListToolsResult> ListToolsAsync(CancellationToken cancellationToken)
    {
        var tools = await router.ListToolsAsync(cancellationToken);
        var collisions = tools.GroupBy(t => t.Tool.Name, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
        var names = new Dictionary<string, (string Server, string Tool)>(StringComparer.Ordinal);
        var listed = new List<Tool>(tools.Count);
        foreach (var (server, tool) in tools)
        {
            var name = options.Value.Gateway.Naming == GatewayNaming.CollisionsOnly && !collisions.Contains(tool.Name) ? tool.Name : $"{server}.{tool.Name}";
            if (!names.TryAdd(name, (server, tool.Name)))
            {
                continue;
            }

            listed.Add(new Tool
            {
                Name = name,
                Title = tool.Title,
                Description = tool.Description,
                InputSchema = tool.InputSchema,
                OutputSchema = tool.OutputSchema,
                Annotations = tool.Annotations,
                Icons = tool.Icons,
                Meta = tool.Meta,
            });
        }

        _names = names;
        return new ListToolsResult { Tools = listed };
    }

    /// <summary>Forwards a call to the server that owns the gateway name; the server's tier is the call's tier.</summary>
    /// <param name="session">The caller's session, if it has one (see <see cref="McpToolCall.Session"/>).</param>
    public async Task<CallToolResult> CallToolAsync(string name, IDictionary<string, JsonElement>? arguments, IProgress<ProgressNotificationValue>? progress, string? session, CancellationToken cancellationToken)
    {
        if (!_names.TryGetValue(name, out var target))
        {
            await ListToolsAsync(cancellationToken);
            if (!_names.TryGetValue(name, out target))
            {
                throw new McpProtocolException($"Unknown tool '{name}': no server of the fleet offers it.", McpErrorCode.InvalidParams);
            }
        }

        var tier = router.TierOf(target.Server) ?? 3;
        try
        {
            var outcome = await router.CallToolAsync(new McpToolCall(target.Tool, null, tier, target.Server, Progress: progress, Session: session, RawArguments: arguments), cancellationToken);

            // An upstream on 2026-07-28 names itself in the result; the caller is talking to the
            // gateway, whose host adds its own name.
            outcome.Result.Meta?.Remove(MetaKeys.ServerInfo);
            return outcome.Result;
        }
        catch (McpRoutingException ex)
        {
            // The caller is an MCP client: a failed upstream is a tool error it can show, not a protocol fault.
            return new CallToolResult { IsError = true, Content = [new TextContentBlock { Text = ex.Message }] };
        }
    }
}
