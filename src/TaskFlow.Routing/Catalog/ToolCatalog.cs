using ModelContextProtocol.Protocol;

namespace TaskFlow.Routing.Catalog;

/// <summary>One server's listing, as the catalog reads it.</summary>
/// <param name="ToolNames">The server's <see cref="UpstreamServerOptions.ToolNames"/>: a rule's name for a tool to the server's own.</param>
public sealed record ServerTools(string Server, IReadOnlyList<Tool> Tools, IReadOnlyDictionary<string, string> ToolNames);

/// <summary>
/// The fleet's tools as callers see them. A routing rule's pattern is a tool namespace: every tool
/// of the rule's servers that the rule would route (its name, or the rule's first segment and its
/// name, matches the pattern, and no earlier rule takes it) is listed once under the rule's name,
/// whichever servers list it. The other tools stay their server's own. Pure: the router feeds it
/// the listings it has.
/// </summary>
public static class ToolCatalog
{
    /// <param name="servers">Every server with a known listing, best tier first: a rule's tool takes its description from the first that lists it.</param>
    public static IReadOnlyList<RoutedTool> Build(RoutingRules rules, RouteTable table, IReadOnlyList<ServerTools> servers)
    {
        var byName = servers.ToDictionary(s => s.Server, StringComparer.Ordinal);
        var covered = new HashSet<(string Server, string Tool)>();
        var routed = new List<RoutedTool>();
        var listed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var rule in rules.Rules)
        {
            var segment = rule.Pattern.FirstSegment;
            foreach (var server in rule.Servers.Append(rule.Rollout?.Server).OfType<string>().Distinct(StringComparer.Ordinal))
            {
                if (!byName.TryGetValue(server, out var listing))
                {
                    continue;
                }

                foreach (var tool in listing.Tools)
                {
                    if (RuleName(rule, segment, tool.Name, listing.ToolNames, table) is not { } name)
                    {
                        continue;
                    }

                    covered.Add((server, tool.Name));
                    if (listed.Add(name))
                    {
                        var inNamespace = segment is not null && name.StartsWith(segment + ".", StringComparison.Ordinal);
                        routed.Add(new RoutedTool(name, inNamespace ? segment : null, inNamespace ? name[(segment!.Length + 1)..] : name, rule, server, tool));
                    }
                }
            }
        }

        foreach (var listing in servers)
        {
            foreach (var tool in listing.Tools.Where(t => !covered.Contains((listing.Server, t.Name))))
            {
                routed.Add(new RoutedTool(tool.Name, listing.Server, tool.Name, null, listing.Server, tool));
            }
        }

        return routed;
    }

    /// <summary>
    /// The names a rule may call a server's tool by, most specific first: those the server's
    /// <c>ToolNames</c> maps to it, then its own name; each as it is, then under the rule's segment.
    /// </summary>
    public static IEnumerable<string> RuleNamesOf(string? segment, string tool, IReadOnlyDictionary<string, string> toolNames)
    {
        foreach (var (ruleName, own) in toolNames)
        {
            if (string.Equals(own, tool, StringComparison.Ordinal))
            {
                yield return ruleName;
                if (segment is not null && !ruleName.StartsWith(segment + ".", StringComparison.Ordinal))
                {
                    yield return segment + "." + ruleName;
                }
            }
        }

        yield return tool;
        if (segment is not null)
        {
            yield return segment + "." + tool;
        }
    }

    /// <summary>The name under which <paramref name="rule"/>'s pattern takes a server's tool, or null when it does not.</summary>
    public static string? NameUnder(RoutingRule rule, string tool, IReadOnlyDictionary<string, string> toolNames) =>
        RuleNamesOf(rule.Pattern.FirstSegment, tool, toolNames).FirstOrDefault(rule.Pattern.Matches);

    /// <summary>The rule's name for a server's tool, when the rule is the one that routes it (no earlier rule takes the name); otherwise null.</summary>
    private static string? RuleName(RoutingRule rule, string? segment, string tool, IReadOnlyDictionary<string, string> toolNames, RouteTable table)
    {
        foreach (var name in RuleNamesOf(segment, tool, toolNames))
        {
            if (rule.Pattern.Matches(name) && ReferenceEquals(table.Decide(name)?.Rule, rule))
            {
                return name;
            }
        }

        return null;
    }
}
