using ModelContextProtocol.Protocol;
using TaskFlow.Testing;

namespace TaskFlow.Routing.Tests.Failures;

/// <summary>
/// The misbehaving MCP servers in <c>Fixtures/</c>: small Node.js scripts (no packages) copied
/// to the test output, each showing one failure that a real server cannot be made to show on
/// demand. Everything else in the failure tests runs against real servers from npm.
/// </summary>
internal static class NodeFixtures
{
    public static StdioLaunch Launch(string script, IReadOnlyDictionary<string, string>? environment = null)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "Fixtures");
        var entry = Path.Combine(folder, script);
        if (!File.Exists(entry))
        {
            throw new InvalidOperationException($"The fixture server {entry} is missing: the test project copies Fixtures/*.js to its output, so rebuild it.");
        }

        return new StdioLaunch("node", [entry], environment ?? new Dictionary<string, string>(), folder);
    }

    /// <summary>The text blocks of a tool result, one per line.</summary>
    public static string Text(CallToolResult result) => string.Join("\n", result.Content.OfType<TextContentBlock>().Select(t => t.Text));
}
