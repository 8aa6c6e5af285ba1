using ModelContextProtocol.Protocol;

namespace TaskFlow.Routing.Gateway;

/// <summary>
/// What the fleet offers, learned before a stdio gateway starts serving (its one session is
/// configured once, so the union must be known first); null until then, and for the HTTP gateway,
/// which learns it per session.
/// </summary>
public sealed class GatewayCapabilities
{
    public ServerCapabilities? Value { get; set; }
}
