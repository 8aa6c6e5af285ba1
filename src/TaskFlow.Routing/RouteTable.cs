using System.Collections.Frozen;

namespace TaskFlow.Routing;

/// <summary>Where a call goes: the candidate servers in order, how to use them, and the rule that decided (null: the tool's owner).</summary>
public sealed record RouteDecision(IReadOnlyList<string> Servers, RoutingStrategy Strategy, RoutingRule? Rule);

/// <summary>
/// Decides which servers a tool call goes to: the first rule whose pattern matches (rules are in
/// priority order), otherwise the server that owns the tool (as discovered by listing tools, or
/// named by a <c>server.tool</c> prefix). Immutable: a new table replaces it when rules or the
/// discovered tools change, so deciding takes no lock.
/// </summary>
public sealed class RouteTable
{
    private readonly RoutingRule[] _rules;
    private readonly RouteDecision[] _ruleDecisions;
    private readonly FrozenDictionary<string, RouteDecision> _owned;
    private readonly FrozenDictionary<string, RouteDecision> _byServer;
    private readonly FrozenDictionary<string, RouteDecision>.AlternateLookup<ReadOnlySpan<char>> _byServerPrefix;

    /// <param name="rules">The routing rules.</param>
    /// <param name="servers">Every registered server name.</param>
    /// <param name="toolOwners">Tool name to the server that serves it, from discovery.</param>
    public RouteTable(RoutingRules rules, IEnumerable<string> servers, IReadOnlyDictionary<string, string> toolOwners)
    {
        _rules = [.. rules.Rules];
        _ruleDecisions = [.. _rules.Select(r => new RouteDecision(r.Servers, r.Strategy, r))];
        _byServer = servers.Distinct(StringComparer.Ordinal).ToFrozenDictionary(s => s, s => new RouteDecision([s], RoutingStrategy.Dedicated, null), StringComparer.Ordinal);
        _byServerPrefix = _byServer.GetAlternateLookup<ReadOnlySpan<char>>();
        _owned = toolOwners.ToFrozenDictionary(p => p.Key, p => _byServer.TryGetValue(p.Value, out var d) ? d : new RouteDecision([p.Value], RoutingStrategy.Dedicated, null), StringComparer.Ordinal);
    }

    /// <summary>The route for a tool; null when no rule matches and no server owns it. Allocates nothing.</summary>
    public RouteDecision? Decide(string tool)
    {
        for (var i = 0; i < _rules.Length; i++)
        {
            if (_rules[i].Pattern.Matches(tool))
            {
                return _ruleDecisions[i];
            }
        }

        if (_owned.TryGetValue(tool, out var owned))
        {
            return owned;
        }

        // "server.tool" names the server directly (the gateway's collision-safe names).
        var dot = tool.IndexOf('.', StringComparison.Ordinal);
        return dot > 0 && _byServerPrefix.TryGetValue(tool.AsSpan(0, dot), out var direct) ? direct : null;
    }
}
