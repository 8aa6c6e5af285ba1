using ModelContextProtocol.Protocol;

namespace TaskFlow.Routing.Catalog;

/// <summary>
/// One tool as the fleet offers it: reached through a routing rule (listed once under the rule's
/// namespace, whichever of the rule's servers list it) or on one server (under the server's name).
/// </summary>
/// <param name="Name">What to call the router with: the rule's name for the tool (<c>memory.read_graph</c>), or the server's own tool name.</param>
/// <param name="Namespace">The rule's namespace (the first segment its pattern fixes) or the server's name; null for a rule that fixes none.</param>
/// <param name="Tool">The tool's name within its namespace.</param>
/// <param name="Rule">The rule that routes it, or null for a tool of one server.</param>
/// <param name="Server">The server, for a tool outside the rules; for a rule's tool, the first of its servers that lists it.</param>
/// <param name="Definition">The listing (description, schemas, annotations) of that server.</param>
public sealed record RoutedTool(string Name, string? Namespace, string Tool, RoutingRule? Rule, string Server, Tool Definition);
