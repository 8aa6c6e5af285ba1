using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using TaskFlow.Routing.Gateway;
using TaskFlow.Routing.Tests.Failures;
using TaskFlow.Routing.Tests.Router;
using TaskFlow.Testing;

namespace TaskFlow.Routing.Tests.Gateway;

/// <summary>
/// The gateway's names and routes over real servers: the everything and memory servers from npm,
/// memory-bank-mcp, and a fixture whose own tool names have dots, clean to one name, or are far
/// too long (no real server was found that shows all three).
/// </summary>
public sealed partial class McpGatewayTests : RouterFailureTest
{
    /// <summary>The report's memory rule: memory-bank first, the knowledge-graph server after it.</summary>
    internal const string MemoryRule = """
        routing_priorities:
          - pattern: "memory.*"
            servers: ["memory-bank", "memory"]
            strategy: "failover"
        """;

    [Fact]
    public async Task ListToolsAsync_EveryNameFitsWhatClientsAccept_AndACallByItReachesTheRightTool()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var root = Directory.CreateTempSubdirectory("taskflow-gateway-").FullName;
        try
        {
            var (gateway, _) = Create(
                new()
                {
                    ["dotted"] = RouterFixture.Stdio(NodeFixtures.Launch("dotted-tools-server.js")),
                    ["everything"] = RouterFixture.Stdio(McpTestServers.Everything()),
                    ["memory"] = RouterFixture.Stdio(McpTestServers.Memory(Path.Combine(root, "graph.jsonl"))),
                    ["memory-bank"] = RouterFixture.Stdio(McpTestServers.MemoryBank(root)),
                },
                MemoryRule);

            var listed = (await gateway.ListToolsAsync(guard.Token)).Tools.Select(t => t.Name).ToList();

            Assert.All(listed, name => Assert.Matches(Portable(), name));
            Assert.Equal(listed.Count, listed.Distinct().Count());
            Assert.Contains("everything__echo", listed);

            // The rule's tools are listed once, under its namespace, whichever server has them;
            // neither memory server's tools appear under the server's own name.
            Assert.Contains("memory__read_graph", listed);
            Assert.Contains("memory__list_projects", listed);
            Assert.DoesNotContain(listed, n => n.StartsWith("memory-bank__", StringComparison.Ordinal));
            Assert.Single(listed, n => n == "memory__read_graph");

            // Dots become underscores; the two names that clean to one both get a hash; the long one is cut.
            var dotted = listed.Where(n => n.StartsWith("dotted__", StringComparison.Ordinal)).ToList();
            Assert.Equal(3, dotted.Count);
            Assert.Equal(2, dotted.Count(n => Regex.IsMatch(n, "^dotted__files_read_[0-9a-f]{8}$")));
            Assert.Single(dotted, n => n.Length == 64);
            var reached = new List<string>();
            foreach (var name in dotted)
            {
                reached.Add(NodeFixtures.Text(await gateway.CallToolAsync(name, null, null, null, guard.Token)));
            }

            Assert.Equal(
                ["called a.tool.with.a.name.much.longer.than.sixty.four.characters.allows.for.any.client", "called files.read", "called files_read"],
                reached.Order());

            var echo = await gateway.CallToolAsync("everything__echo", Arguments("""{ "message": "named" }"""), null, null, guard.Token);
            Assert.Equal("Echo: named", NodeFixtures.Text(echo));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task CallToolAsync_RuleNamespace_EachToolReachesTheServerThatListsIt()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var root = Directory.CreateTempSubdirectory("taskflow-gateway-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "project-a"));
            await File.WriteAllTextAsync(Path.Combine(root, "project-a", "notes.md"), "kept in the bank");
            var (gateway, router) = Create(
                new()
                {
                    ["memory-bank"] = RouterFixture.Stdio(McpTestServers.MemoryBank(root)),
                    ["memory"] = RouterFixture.Stdio(McpTestServers.Memory(Path.Combine(root, "graph.jsonl"))),
                },
                MemoryRule);

            // read_graph: only the knowledge-graph server has it, though memory-bank comes first.
            var graph = await gateway.CallToolAsync("memory__read_graph", null, null, null, guard.Token);
            var projects = await gateway.CallToolAsync("memory__list_projects", null, null, null, guard.Token);
            var read = await gateway.CallToolAsync("memory__memory_bank_read", Arguments("""{ "projectName": "project-a", "fileName": "notes.md" }"""), null, null, guard.Token);

            Assert.NotEqual(true, graph.IsError);
            Assert.Contains("\"entities\"", NodeFixtures.Text(graph), StringComparison.Ordinal);
            Assert.Contains("project-a", NodeFixtures.Text(projects), StringComparison.Ordinal);
            Assert.Equal("kept in the bank", NodeFixtures.Text(read));

            // Through the router by the rule's name: the outcome names the server that answered.
            var outcome = await router.CallToolAsync(new McpToolCall("memory.read_graph"), guard.Token);
            Assert.Equal(("memory", "read_graph", 1), (outcome.Server, outcome.Tool, outcome.Attempts));
            var bank = await router.CallToolAsync(new McpToolCall("memory.list_projects"), guard.Token);
            Assert.Equal(("memory-bank", "list_projects"), (bank.Server, bank.Tool));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task ListToolsAsync_DotSeparator_GivesTheDottedForm()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var (gateway, _) = Create(new() { ["everything"] = RouterFixture.Stdio(McpTestServers.Everything()) }, null, o => o.Gateway.Separator = ".");

        var listed = (await gateway.ListToolsAsync(guard.Token)).Tools.Select(t => t.Name).ToList();

        Assert.Contains("everything.echo", listed);
        Assert.Equal("Echo: dotted", NodeFixtures.Text(await gateway.CallToolAsync("everything.echo", Arguments("""{ "message": "dotted" }"""), null, null, guard.Token)));
    }

    private (McpGateway Gateway, McpRouter Router) Create(Dictionary<string, UpstreamServerOptions> servers, string? rules, Action<McpRoutingOptions>? configure = null)
    {
        McpRoutingOptions? options = null;
        var router = Fixture.Create(servers, rules, o =>
        {
            configure?.Invoke(o);
            options = o;
        });
        return (new McpGateway(router, Options.Create(options!)), router);
    }

    private static Dictionary<string, JsonElement> Arguments(string json) =>
        JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(json)!;

    [GeneratedRegex("^[a-zA-Z0-9_-]{1,64}$")]
    private static partial Regex Portable();
}
