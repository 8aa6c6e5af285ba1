using ModelContextProtocol.Protocol;
using TaskFlow.Routing.Catalog;

namespace TaskFlow.Routing.Tests.Catalog;

public sealed class ToolCatalogTests
{
    private static readonly Dictionary<string, string> NoMap = new(StringComparer.Ordinal);

    // The report's memory rule over two servers that share one tool (read_graph) and each have
    // tools of their own; a server outside the rules keeps its names.
    //
    //   memory.* ──failover──> [bank, graph]      files (no rule)
    //     bank:  read_graph, list_projects           files: read_file
    //     graph: read_graph, create_entities
    private static readonly RoutingRules Rules = RoutingRulesYaml.Parse("""
        routing_priorities:
          - pattern: "memory.*"
            servers: ["bank", "graph"]
            strategy: "failover"
        """);

    [Fact]
    public void Build_RuleServersTools_AreListedOnceUnderTheRulesNamespace_OthersUnderTheirServer()
    {
        var servers = new[]
        {
            Listing("bank", "read_graph", "list_projects"),
            Listing("graph", "read_graph", "create_entities"),
            Listing("files", "read_file"),
        };

        var tools = ToolCatalog.Build(Rules, Table(Rules, servers), servers);

        Assert.Equal(
            [
                ("memory.read_graph", "memory", "read_graph", "memory.*", "bank"),
                ("memory.list_projects", "memory", "list_projects", "memory.*", "bank"),
                ("memory.create_entities", "memory", "create_entities", "memory.*", "graph"),
                ("read_file", "files", "read_file", null, "files"),
            ],
            tools.Select(t => (t.Name, t.Namespace, t.Tool, t.Rule?.Pattern.Text, t.Server)));
    }

    [Fact]
    public void Build_AnEarlierRuleTakesAName_TheLaterRuleDoesNotListIt_AndTheServerKeepsIt()
    {
        var rules = RoutingRulesYaml.Parse("""
            routing_priorities:
              - pattern: "memory.search"
                servers: ["search"]
                strategy: "dedicated"
              - pattern: "memory.*"
                servers: ["bank"]
                strategy: "dedicated"
            """);
        var servers = new[] { Listing("bank", "search", "read"), Listing("search", "search") };

        var tools = ToolCatalog.Build(rules, Table(rules, servers), servers);

        Assert.Equal(
            [("memory.search", "memory.search", "search"), ("memory.read", "memory.*", "bank"), ("search", null, "bank")],
            tools.Select(t => (t.Name, t.Rule?.Pattern.Text, t.Server)));
    }

    [Fact]
    public void Build_ToolNamesMapsAServersOwnName_ToTheRulesName()
    {
        var servers = new[]
        {
            Listing("bank", "read_graph"),
            new ServerTools("graph", [new Tool { Name = "graph_read" }], new Dictionary<string, string> { ["read_graph"] = "graph_read" }),
        };

        var tools = ToolCatalog.Build(Rules, Table(Rules, servers), servers);

        Assert.Equal(["memory.read_graph"], tools.Select(t => t.Name));
        Assert.Equal("memory.read_graph", ToolCatalog.NameUnder(Rules.Rules[0], "graph_read", servers[1].ToolNames));
    }

    private static ServerTools Listing(string server, params string[] tools) =>
        new(server, [.. tools.Select(t => new Tool { Name = t })], NoMap);

    private static RouteTable Table(RoutingRules rules, IEnumerable<ServerTools> servers) =>
        new(rules, servers.Select(s => s.Server), new Dictionary<string, IReadOnlyList<string>>());
}
