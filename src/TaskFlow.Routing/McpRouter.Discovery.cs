using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Protocol;
using TaskFlow.Routing.Catalog;
using TaskFlow.Routing.Upstreams;

namespace TaskFlow.Routing;

public sealed partial class McpRouter
{
    // (server, name called, rule) -> the server's own name for the tool; "" when it does not list it.
    private readonly ConcurrentDictionary<(UpstreamServer Server, string Tool, RoutingRule? Rule), string> _upstreamNames = new();

    // Tool names a discovery did not find, with when they may be looked for again: a client that
    // calls a misspelt name in a loop must not list the whole fleet on every call.
    private readonly ConcurrentDictionary<string, long> _unknown = new(StringComparer.Ordinal);
    private static readonly TimeSpan UnknownFor = TimeSpan.FromSeconds(5);
    private const int MaxUnknown = 10_000;

    /// <summary>Raised after a server's tool list changed (a notification, or a listing that differs).</summary>
    public event Action<string>? ToolsChanged;

    /// <summary>
    /// Every tool of every server, as <c>(server, tool)</c>; starts, in parallel, the servers whose
    /// tools are not known yet. Servers that fail are left out.
    /// </summary>
    public async Task<IReadOnlyList<(string Server, Tool Tool)>> ListToolsAsync(CancellationToken cancellationToken = default)
    {
        var lists = await Task.WhenAll(_servers.Values.Select(async s => (s.Name, Tools: await ListOrNothingAsync(s, cancellationToken))));
        _table = BuildTable();
        return [.. lists.SelectMany(l => l.Tools.Select(t => (l.Name, t)))];
    }

    /// <summary>
    /// The fleet's tools as callers see them: each tool a routing rule reaches once, under the
    /// rule's namespace; every other tool under its server (see <see cref="ToolCatalog"/>).
    /// </summary>
    public async Task<IReadOnlyList<RoutedTool>> ListRoutedToolsAsync(CancellationToken cancellationToken = default)
    {
        await ListToolsAsync(cancellationToken);
        var listings = _servers.Values
            .OrderBy(s => s.Options.Tier).ThenBy(s => s.Name, StringComparer.Ordinal)
            .Where(s => s.RoutableTools is not null)
            .Select(s => new ServerTools(s.Name, s.RoutableTools!, s.Options.ToolNames))
            .ToList();
        return ToolCatalog.Build(_routingRules, _table, listings);
    }

    /// <summary>
    /// Checks, by listing their tools, that the servers of each rule with several servers share at
    /// least one tool: a failover or round robin over servers with nothing in common sends every
    /// call where it cannot be answered. Servers that cannot be listed now are left out of the check.
    /// </summary>
    /// <exception cref="RoutingConfigurationException">Lists every rule whose servers share no tool.</exception>
    public async Task CheckRulesAsync(CancellationToken cancellationToken = default)
    {
        var multi = _routingRules.Rules.Select((rule, index) => (rule, index)).Where(r => r.rule.Servers.Distinct(StringComparer.Ordinal).Count() > 1).ToList();
        if (multi.Count == 0)
        {
            return;
        }

        var wanted = multi.SelectMany(r => r.rule.Servers).Distinct(StringComparer.Ordinal).Select(s => _servers[s]).ToList();
        await Task.WhenAll(wanted.Select(s => ListOrNothingAsync(s, cancellationToken)));
        _table = BuildTable();
        var problems = new List<string>();
        foreach (var (rule, index) in multi)
        {
            var listed = rule.Servers.Distinct(StringComparer.Ordinal).Select(s => _servers[s]).Where(s => s.RoutableTools is not null).ToList();
            if (listed.Count < 2)
            {
                continue;
            }

            var names = listed.Select(s => s.RoutableTools!.Select(t => ToolCatalog.NameUnder(rule, t.Name, s.Options.ToolNames)).OfType<string>().ToHashSet(StringComparer.Ordinal)).ToList();
            var shared = names.Skip(1).Aggregate(new HashSet<string>(names[0], StringComparer.Ordinal), (all, next) => { all.IntersectWith(next); return all; });
            if (shared.Count == 0)
            {
                problems.Add($"routing_priorities[{index}] ('{rule.Pattern}'): its servers {string.Join(", ", listed.Select(s => $"'{s.Name}' ({s.RoutableTools!.Count} tools)"))} share no tool, so {rule.Strategy} never has a second server to send a call to; map the names with a server's ToolNames, or give each server a rule of its own");
            }
        }

        if (problems.Count > 0)
        {
            throw new RoutingConfigurationException(problems);
        }
    }

    private async Task<IReadOnlyList<Tool>> ListOrNothingAsync(UpstreamServer server, CancellationToken cancellationToken)
    {
        // Each server gets the call deadline: one that hangs on tools/list must not hold up
        // discovery (and with it every call to a tool not known yet).
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.CallTimeout);
        try
        {
            return await server.GetToolsAsync(timeout.Token);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // A server without tools (method not found), down, or hung: it offers nothing now.
            DiscoveryFailed(_logger, server.Name, FailureText.Of(ex));
            return [];
        }
    }

    /// <summary>
    /// The server's own name for the tool a call names, from what is known without asking the
    /// server: the name, <c>""</c> when the server's listing lacks the tool (a route never sends a
    /// call to a server that cannot answer it), or null when its tools are not known yet. A call
    /// that names its server goes there as it is when the listing has no better name.
    /// </summary>
    private string? KnownUpstreamName(UpstreamServer server, McpToolCall call, RoutingRule? rule)
    {
        var key = (server, call.Tool, rule);
        if (_upstreamNames.TryGetValue(key, out var known))
        {
            return known;
        }

        return server.RoutableTools is { } tools ? Resolve(server, call, rule, tools) : null;
    }

    /// <summary>As <see cref="KnownUpstreamName"/>, listing the server's tools first (which starts it).</summary>
    private async Task<string> ListedUpstreamNameAsync(UpstreamServer server, McpToolCall call, RoutingRule? rule, CancellationToken cancellationToken) =>
        Resolve(server, call, rule, await server.GetToolsAsync(cancellationToken));

    private string Resolve(UpstreamServer server, McpToolCall call, RoutingRule? rule, IReadOnlyList<Tool> tools)
    {
        var name = Candidates(server, call.Tool, rule).FirstOrDefault(c => tools.Any(t => string.Equals(t.Name, c, StringComparison.Ordinal)))
            ?? (call.Server is not null ? call.Tool : "");
        _upstreamNames[(server, call.Tool, rule)] = name;
        return name;
    }

    /// <summary>The names the server may list the called tool under, in order of preference.</summary>
    private static IEnumerable<string> Candidates(UpstreamServer server, string tool, RoutingRule? rule)
    {
        var map = server.Options.ToolNames;
        var segment = rule?.Pattern.FirstSegment;
        var local = segment is not null && tool.StartsWith(segment + ".", StringComparison.Ordinal) ? tool[(segment.Length + 1)..] : null;
        if (map.TryGetValue(tool, out var mapped))
        {
            yield return mapped;
        }

        if (local is not null && map.TryGetValue(local, out var mappedLocal))
        {
            yield return mappedLocal;
        }

        // "server.tool" names the server and its tool.
        if (tool.StartsWith(server.Name + ".", StringComparison.Ordinal))
        {
            yield return tool[(server.Name.Length + 1)..];
        }

        yield return tool;
        if (local is not null)
        {
            yield return local;
        }
    }

    private bool IsKnownUnknown(string tool) =>
        _unknown.TryGetValue(tool, out var until) && TimeProvider.System.GetTimestamp() < until;

    private void RememberUnknown(string tool)
    {
        if (_unknown.Count >= MaxUnknown)
        {
            _unknown.Clear();
        }

        _unknown[tool] = TimeProvider.System.GetTimestamp() + (long)(UnknownFor.TotalSeconds * TimeProvider.System.TimestampFrequency);
    }

    private void OnToolsChanged(UpstreamServer server)
    {
        _unknown.Clear();
        foreach (var key in _upstreamNames.Keys.Where(k => ReferenceEquals(k.Server, server)))
        {
            _upstreamNames.TryRemove(key, out _);
        }

        _table = BuildTable();
        ToolsChanged?.Invoke(server.Name);
    }

    private RouteTable BuildTable()
    {
        // A tool several servers list goes to them best tier first, then by name.
        var owners = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var server in _servers.Values.OrderBy(s => s.Options.Tier).ThenBy(s => s.Name, StringComparer.Ordinal))
        {
            foreach (var tool in server.RoutableTools ?? [])
            {
                if (!owners.TryGetValue(tool.Name, out var list))
                {
                    owners[tool.Name] = list = [];
                }

                list.Add(server.Name);
            }
        }

        _ownedStrategies = new ConcurrentDictionary<string, Strategies.RouteStrategy>(StringComparer.Ordinal);
        return new RouteTable(_routingRules, _servers.Keys, owners.ToDictionary(p => p.Key, p => (IReadOnlyList<string>)p.Value, StringComparer.Ordinal));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "MCP server {Server} could not list its tools: {Reason}")]
    private static partial void DiscoveryFailed(ILogger logger, string server, string reason);
}
