namespace TaskFlow.Routing.Gateway;

/// <summary>How the gateway names the fleet's tools (<c>TaskFlow:Mcp:Gateway</c>).</summary>
public sealed class McpGatewayOptions
{
    /// <summary>
    /// <c>Prefixed</c> (the default): every tool as <c>server.tool</c>, so no two servers can
    /// collide. <c>CollisionsOnly</c>: a tool keeps its own name unless another server offers the
    /// same name, in which case both get their server's prefix.
    /// </summary>
    public GatewayNaming Naming { get; set; } = GatewayNaming.Prefixed;
}

public enum GatewayNaming
{
    Prefixed,
    CollisionsOnly,
}
