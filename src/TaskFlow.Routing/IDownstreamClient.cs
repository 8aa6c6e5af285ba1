// MCP's sampling is deprecated as of revision 2026-07-28 (SEP-2577); servers on earlier revisions still
// ask for it, and the gateway passes their requests on for them.
#pragma warning disable MCP9005

using ModelContextProtocol.Protocol;

namespace TaskFlow.Routing;

/// <summary>
/// The MCP client a tool call came from, when it came through the gateway: an upstream server
/// that asks its client something in the middle of the call (sampling, elicitation) is answered by
/// this client, on the call's own stream.
/// </summary>
public interface IDownstreamClient
{
    /// <summary>Who the client is (its session id); two calls with the same id are the same client.</summary>
    string Id { get; }

    /// <summary>Whether the client declared sampling (<c>sampling/createMessage</c>).</summary>
    bool CanSample { get; }

    /// <summary>Whether the client declared elicitation (<c>elicitation/create</c>).</summary>
    bool CanElicit { get; }

    ValueTask<CreateMessageResult> SampleAsync(CreateMessageRequestParams request, CancellationToken cancellationToken);

    ValueTask<ElicitResult> ElicitAsync(ElicitRequestParams request, CancellationToken cancellationToken);
}
