using System.Text.Json;
using Microsoft.Extensions.Options;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using TaskFlow.Routing.Catalog;

namespace TaskFlow.Routing.Gateway;

/// <summary>
/// The fleet as one MCP server. Lists every tool once under a name every client accepts: a tool a
/// routing rule reaches under the rule's namespace (<c>memory__read_graph</c>, routed by the rule's
/// strategy), any other under its server's (<c>files__read_file</c>). Calls go through the router,
/// so rules, breakers and tiers apply. Host-agnostic: the server maps it at <c>/mcp</c> over
/// Streamable HTTP, <c>taskflow mcp gateway</c> over stdio.
/// </summary>
/// <remarks>
/// The listing is built once and kept until an upstream's tools change (<c>list_changed</c>, or a
/// listing that differs) or the router's tool cache expires, so a client listing again gets the
/// same object at no cost.
/// </remarks>
public sealed partial class McpGateway
{
    private readonly McpRouter _router;
    private readonly McpRoutingOptions _options;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _building = new(1, 1);
    private volatile Listing? _listing;

    public McpGateway(McpRouter router, IOptions<McpRoutingOptions> options, TimeProvider? time = null)
    {
        _router = router;
        _options = options.Value;
        _time = time ?? TimeProvider.System;
        router.ToolsChanged += _ => _listing = null;
        router.CatalogChanged += _ => _catalog = null;
    }

    public McpRouter Router => _router;

    /// <summary>Every tool of every reachable server, named for the gateway.</summary>
    public async Task<ListToolsResult> ListToolsAsync(CancellationToken cancellationToken) => (await CurrentAsync(cancellationToken)).Result;

    /// <summary>Forwards a call by its gateway name: through its rule, or to its server. The call's tier is the server's (for a rule, its first server's).</summary>
    /// <param name="session">The caller's session, if it has one (see <see cref="McpToolCall.Session"/>).</param>
    /// <param name="client">The caller, who answers the server's sampling and elicitation requests during the call.</param>
    public async Task<CallToolResult> CallToolAsync(string name, IDictionary<string, JsonElement>? arguments, IProgress<ProgressNotificationValue>? progress, string? session, CancellationToken cancellationToken, IDownstreamClient? client = null)
    {
        if (!(await CurrentAsync(cancellationToken)).Targets.TryGetValue(name, out var target))
        {
            // A name from an older listing, or a server that has come up since: list once more.
            _listing = null;
            if (!(await CurrentAsync(cancellationToken)).Targets.TryGetValue(name, out target))
            {
                throw new McpProtocolException($"Unknown tool '{name}': no server of the fleet offers it.", McpErrorCode.InvalidParams);
            }
        }

        var call = target.Rule is { } rule
            ? new McpToolCall(target.Name, null, _router.TierOf(rule.Servers[0]) ?? 3, Progress: progress, Session: session, RawArguments: arguments, Client: client)
            : new McpToolCall(target.Tool, null, _router.TierOf(target.Server) ?? 3, target.Server, Progress: progress, Session: session, RawArguments: arguments, Client: client);
        try
        {
            var outcome = await _router.CallToolAsync(call, cancellationToken);

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

    /// <summary>The server a gateway tool name reaches (for a routing rule, its first server) and the tool's name there; null when no server offers it.</summary>
    internal async Task<(string Server, string Tool)?> TargetOfAsync(string name, CancellationToken cancellationToken)
    {
        if (!(await CurrentAsync(cancellationToken)).Targets.TryGetValue(name, out var target))
        {
            _listing = null;
            if (!(await CurrentAsync(cancellationToken)).Targets.TryGetValue(name, out target))
            {
                return null;
            }
        }

        return (target.Rule?.Servers[0] ?? target.Server, target.Tool);
    }

    /// <summary>What a gateway tool name reaches in the listing kept now; null without one, or for a name it does not hold.</summary>
    internal RoutedTool? CachedTarget(string name) => _listing?.Targets.GetValueOrDefault(name);

    private async ValueTask<Listing> CurrentAsync(CancellationToken cancellationToken)
    {
        if (_listing is { } listing && _time.GetElapsedTime(listing.BuiltAt) < _options.ToolCacheTtl)
        {
            return listing;
        }

        await _building.WaitAsync(cancellationToken);
        try
        {
            if (_listing is { } fresh && _time.GetElapsedTime(fresh.BuiltAt) < _options.ToolCacheTtl)
            {
                return fresh;
            }

            var built = Build(await _router.ListRoutedToolsAsync(cancellationToken));
            _listing = built;
            return built;
        }
        finally
        {
            _building.Release();
        }
    }

    private Listing Build(IReadOnlyList<RoutedTool> tools)
    {
        var gateway = _options.Gateway;
        var plain = gateway.Naming == GatewayNaming.CollisionsOnly
            ? tools.Where(t => t.Rule is null).GroupBy(t => t.Tool, StringComparer.Ordinal).Where(g => g.Count() == 1).Select(g => g.Single()).ToHashSet()
            : [];
        var names = GatewayToolNames.Assign([.. tools.Select(t => (plain.Contains(t) ? null : t.Namespace, t.Tool))], gateway);
        var targets = new Dictionary<string, RoutedTool>(StringComparer.Ordinal);
        var listed = new List<Tool>(tools.Count);
        for (var i = 0; i < tools.Count; i++)
        {
            if (!targets.TryAdd(names[i], tools[i]))
            {
                continue;
            }

            var tool = tools[i].Definition;
            listed.Add(new Tool
            {
                Name = names[i],
                Title = tool.Title,
                Description = tool.Description,
                InputSchema = tool.InputSchema,
                OutputSchema = tool.OutputSchema,
                Annotations = tool.Annotations,
                Icons = tool.Icons,
                Meta = tool.Meta,
            });
        }

        return new Listing(new ListToolsResult { Tools = listed }, targets, _time.GetTimestamp());
    }

    private sealed record Listing(ListToolsResult Result, Dictionary<string, RoutedTool> Targets, long BuiltAt);
}
