// MCP's sampling is deprecated as of revision 2026-07-28 (SEP-2577); servers on earlier revisions still
// ask for it, and the gateway passes their requests on for them.
#pragma warning disable MCP9005

using System.Collections.Concurrent;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace TaskFlow.Routing.Upstreams;

/// <summary>
/// The tool calls in flight on one upstream connection and the clients they came from, so that a
/// request the server sends back in the middle of a call (sampling, elicitation) reaches the client
/// that made it. The protocol does not say which call such a request belongs to on a shared
/// connection, so it is forwarded only when every call in flight there came from one client; when
/// calls of several clients (or of workflows) share the connection at that moment, the server gets
/// an error rather than another client's answer. (A client that can answer such requests gets a
/// connection to itself for its calls where the pool allows, see <c>UpstreamServer.AcquireForAsync</c>.)
/// </summary>
internal sealed class DownstreamCallers
{
    private readonly ConcurrentDictionary<long, IDownstreamClient?> _calls = new();
    private long _next;

    /// <summary>Counts a tool call until the returned registration is disposed.</summary>
    public Registration Enter(IDownstreamClient? client)
    {
        var id = Interlocked.Increment(ref _next);
        _calls[id] = client;
        return new Registration(this, id);
    }

    public ValueTask<CreateMessageResult> SampleAsync(CreateMessageRequestParams? request, CancellationToken cancellationToken)
    {
        var client = Caller(RequestMethods.SamplingCreateMessage, c => c.CanSample, "sampling");
        return client.SampleAsync(request ?? throw new McpProtocolException("sampling/createMessage needs params.", McpErrorCode.InvalidParams), cancellationToken);
    }

    public ValueTask<ElicitResult> ElicitAsync(ElicitRequestParams? request, CancellationToken cancellationToken)
    {
        var client = Caller(RequestMethods.ElicitationCreate, c => c.CanElicit, "elicitation");
        return client.ElicitAsync(request ?? throw new McpProtocolException("elicitation/create needs params.", McpErrorCode.InvalidParams), cancellationToken);
    }

    private IDownstreamClient Caller(string method, Func<IDownstreamClient, bool> declared, string capability)
    {
        var calls = _calls.Values.ToList();
        var clients = calls.OfType<IDownstreamClient>().DistinctBy(c => c.Id).ToList();
        if (clients.Count == 0)
        {
            throw new McpProtocolException(
                $"{method}: no MCP client is waiting on a call here (the call came from a workflow, or has ended), so there is no one to ask.",
                McpErrorCode.MethodNotFound);
        }

        if (clients.Count > 1 || calls.Count(c => c is null) > 0)
        {
            throw new McpProtocolException(
                $"{method}: calls of {clients.Count + (calls.Any(c => c is null) ? 1 : 0)} callers are in flight on this connection, and the request does not say which it belongs to; the gateway asks no one rather than the wrong client.",
                McpErrorCode.InternalError);
        }

        var client = clients[0];
        return declared(client)
            ? client
            : throw new McpProtocolException($"{method}: the calling client did not declare the {capability} capability.", McpErrorCode.MethodNotFound);
    }

    public readonly struct Registration(DownstreamCallers owner, long id) : IDisposable
    {
        public void Dispose() => owner._calls.TryRemove(id, out _);
    }
}
