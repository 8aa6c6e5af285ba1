using System.Collections.Frozen;

namespace TaskFlow.Routing;

/// <summary>Where a call goes: the candidate servers in order, how to use them, and the rule that decided (null: the servers that list the tool, or the one a <c>server.tool</c> name names).</summary>
public sealed record RouteDecision(IReadOnlyList<string> Servers, RoutingStrategy Strategy, RoutingRule? Rule);

/// <summary>
/// Decides which servers a tool call goes to: the first rule whose pattern matches (rules are in
/// priority order), otherwise the servers that list the tool (as discovered, best tier first, under
/// <c>load_balancing.algorithm</c>), otherwise the server a <c>server.tool</c> prefix names. Immutable: a new table replaces it when rules or the
/// discovered tools change, so deciding takes no lock.
/// </summary>
/// <remarks>
/// Rules whose pattern fixes the tool's first segment (<c>memory.*</c>, <c>memory.store</c>) are
/// indexed by it; a decision looks only at the rules of the tool's own segment and at the few that
/// may match any segment (<c>*</c>, <c>mem*</c>), and takes the first in priority order of either. So
/// a table of a thousand <c>server.*</c> rules decides as fast as one of three.
/// </remarks>
public sealed class RouteTable
{
    private readonly RoutingRule[] _rules;
    private readonly RouteDecision[] _ruleDecisions;
    private readonly FrozenDictionary<string, RouteDecision> _owned;
    private readonly FrozenDictionary<string, RouteDecision> _byServer;
    private readonly FrozenDictionary<string, RouteDecision>.AlternateLookup<ReadOnlySpan<char>> _byServerPrefix;

    // Rule indexes in priority order: by the first segment their pattern fixes, and those of any segment.
    private readonly FrozenDictionary<string, int[]>.AlternateLookup<ReadOnlySpan<char>> _rulesBySegment;
    private readonly int[] _anySegmentRules;

    /// <param name="rules">The routing rules.</param>
    /// <param name="servers">Every registered server name.</param>
    /// <param name="toolOwners">Tool name to the servers that list it (best first), from discovery.</param>
    public RouteTable(RoutingRules rules, IEnumerable<string> servers, IReadOnlyDictionary<string, IReadOnlyList<string>> toolOwners)
    {
        _rules = [.. rules.Rules];
        _ruleDecisions = [.. _rules.Select(r => new RouteDecision(r.Servers, r.Strategy, r))];
        var indexed = Enumerable.Range(0, _rules.Length).ToLookup(i => _rules[i].Pattern.FirstSegment);
        _anySegmentRules = [.. indexed[null]];
        _rulesBySegment = indexed.Where(g => g.Key is not null).ToFrozenDictionary(g => g.Key!, g => g.ToArray(), StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();
        _byServer = servers.Distinct(StringComparer.Ordinal).ToFrozenDictionary(s => s, s => new RouteDecision([s], RoutingStrategy.Dedicated, null), StringComparer.Ordinal);
        _byServerPrefix = _byServer.GetAlternateLookup<ReadOnlySpan<char>>();
        _owned = toolOwners.ToFrozenDictionary(
            p => p.Key,
            p => p.Value.Count == 1 && _byServer.TryGetValue(p.Value[0], out var one) ? one : new RouteDecision(p.Value, rules.LoadBalancing, null),
            StringComparer.Ordinal);
    }

    /// <summary>The route for a tool; null when no rule matches and no server owns it. Allocates nothing.</summary>
    public RouteDecision? Decide(string tool)
    {
        var dot = tool.IndexOf('.', StringComparison.Ordinal);
        var first = FirstMatch(_anySegmentRules, tool, int.MaxValue);
        if (dot >= 0 && _rulesBySegment.TryGetValue(tool.AsSpan(0, dot), out var segmentRules))
        {
            first = FirstMatch(segmentRules, tool, first);
        }

        if (first != int.MaxValue)
        {
            return _ruleDecisions[first];
        }

        if (_owned.TryGetValue(tool, out var owned))
        {
            return owned;
        }

        // "server.tool" names the server directly (the gateway's collision-safe names).
        return dot > 0 && _byServerPrefix.TryGetValue(tool.AsSpan(0, dot), out var direct) ? direct : null;
    }

    /// <summary>The first of <paramref name="indexes"/> (ascending) whose rule matches, if it comes before <paramref name="before"/>.</summary>
    private int FirstMatch(int[] indexes, string tool, int before)
    {
        foreach (var i in indexes)
        {
            if (i >= before)
            {
                break;
            }

            if (_rules[i].Pattern.Matches(tool))
            {
                return i;
            }
        }

        return before;
    }
}
