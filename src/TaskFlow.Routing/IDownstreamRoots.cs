// Roots are deprecated as of MCP revision 2026-07-28 (SEP-2577); servers on earlier revisions still
// ask for them, and the gateway passes them on for the clients whose own sessions those are.
#pragma warning disable MCP9005

using ModelContextProtocol.Protocol;

namespace TaskFlow.Routing;

/// <summary>
/// The roots (<c>roots/list</c>) of the gateway's downstream sessions. A server whose connections
/// are one session's own (<see cref="UpstreamSessionMode.Pinned"/>) asks that session's client for
/// its roots; a shared connection declares none, since one process cannot hold several clients' roots.
/// </summary>
public interface IDownstreamRoots
{
    /// <summary>Whether the session's client declared roots.</summary>
    bool Declares(string session);

    /// <summary>Asks the session's client for its roots.</summary>
    ValueTask<ListRootsResult> ListAsync(string session, CancellationToken cancellationToken);
}
