using TaskFlow.Routing;

namespace TaskFlow.Bench.Fleet;

/// <summary>A server's repeatable probe as a router call, addressed to that server.</summary>
internal static class ProbeCall
{
    public static McpToolCall For(FleetServer server) =>
        new(server.ProbeTool ?? throw new ArgumentException($"{server.Name} has no probe tool.", nameof(server)), server.ProbeArguments, server.Tier, server.Name);

    /// <summary>Calls the probe; null on success, else what went wrong (a tool error counts as a failure).</summary>
    public static async Task<string?> TryAsync(McpRouter router, McpToolCall call, CancellationToken cancellationToken)
    {
        try
        {
            var outcome = await router.CallToolAsync(call, cancellationToken);
            return outcome.Result.IsError == true
                ? $"tool error: {string.Join(" ", outcome.Result.Content.OfType<ModelContextProtocol.Protocol.TextContentBlock>().Select(t => t.Text))}"
                : null;
        }
        catch (McpRoutingException ex)
        {
            return ex.Message;
        }
    }
}
