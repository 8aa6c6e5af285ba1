// MCP's sampling is deprecated as of revision 2026-07-28 (SEP-2577); servers on earlier revisions still
// ask for it, and the gateway passes their requests on for them.
#pragma warning disable MCP9005

using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace TaskFlow.Routing.Gateway;

/// <summary>
/// The client of one gateway tool call, as the router sees it: an upstream's sampling or
/// elicitation request during the call is sent to this client on the call's own request (over
/// Streamable HTTP, on the call's response stream), and its answer goes back upstream.
/// </summary>
/// <param name="request">The server as the call's handler sees it: bound to the call's request.</param>
/// <param name="session">The client's session id; a stateless call is a client of its own.</param>
internal sealed class GatewayCaller(McpServer request, string? session) : IDownstreamClient
{
    public string Id { get; } = session ?? Guid.NewGuid().ToString("N");

    public bool CanSample => request.ClientCapabilities?.Sampling is not null;

    public bool CanElicit => request.ClientCapabilities?.Elicitation is not null;

    public ValueTask<CreateMessageResult> SampleAsync(CreateMessageRequestParams parameters, CancellationToken cancellationToken) =>
        request.SampleAsync(parameters, cancellationToken);

    public ValueTask<ElicitResult> ElicitAsync(ElicitRequestParams parameters, CancellationToken cancellationToken) =>
        request.ElicitAsync(parameters, cancellationToken);
}
