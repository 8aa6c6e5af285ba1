using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Protocol;
using TaskFlow.Routing;

namespace TaskFlow.Bench.Mcp;

/// <summary>
/// Calls through an in-process <see cref="McpRouter"/> configured with the one server, as a host
/// would configure it, except for the rate limit (see <see cref="Create"/>). The tool is named
/// <c>echo</c>, so the route is the owner found by discovery, as for a tool no rule names.
/// </summary>
internal sealed class RouterSide : EchoSide
{
    public const string ServerName = "everything";

    /// <summary>
    /// The per-server rate limit for the benchmark: the default (100 messages/s, the report's)
    /// would cap every figure at 100 calls/s. The limiter still runs on every call.
    /// </summary>
    public const int RateLimit = 1_000_000;

    private readonly McpRouter _router;
    private readonly McpToolCall[] _calls;

    private RouterSide(McpRouter router, int workers)
    {
        _router = router;

        // One call (with its own arguments object) per worker: nothing is shared between
        // concurrent calls, and nothing is allocated here per call that a caller would not.
        _calls = [.. Enumerable.Range(0, workers).Select(_ => new McpToolCall("echo", new JsonObject { ["message"] = Message }))];
    }

    public override string Name => "router";

    public override int Connections => _router.GetStatus()[0].Connections;

    public override string? ProtocolVersion => _router.GetStatus()[0].ProtocolVersion;

    public static RouterSide Create(UpstreamServerOptions server, int workers)
    {
        server.RateLimit = RateLimit;
        var options = new McpRoutingOptions { Servers = { [ServerName] = server } };
        var router = new McpRouter(Options.Create(options), new RoutingMetrics(), NullLoggerFactory.Instance, TimeProvider.System);
        return new RouterSide(router, workers);
    }

    public override async Task<CallToolResult> CallAsync(int worker, CancellationToken cancellationToken) =>
        (await _router.CallToolAsync(_calls[worker], cancellationToken)).Result;

    public override ValueTask DisposeAsync() => _router.DisposeAsync();
}
