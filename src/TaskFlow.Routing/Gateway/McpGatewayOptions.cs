using System.ComponentModel.DataAnnotations;

namespace TaskFlow.Routing.Gateway;

/// <summary>How the gateway names the fleet's tools (<c>TaskFlow:Mcp:Gateway</c>).</summary>
public sealed class McpGatewayOptions
{
    /// <summary>
    /// <c>Prefixed</c> (the default): every tool outside a routing rule as <c>server__tool</c>, so
    /// no two servers can collide. <c>CollisionsOnly</c>: a tool keeps its own name unless another
    /// server offers the same name, in which case both get their server's prefix. Tools reached
    /// through a rule are listed under the rule's namespace either way.
    /// </summary>
    public GatewayNaming Naming { get; set; } = GatewayNaming.Prefixed;

    /// <summary>
    /// What joins a server's name (or a rule's namespace) and a tool's. The default <c>__</c> keeps
    /// every name within <c>^[a-zA-Z0-9_-]{1,64}$</c>, which Claude's API requires of every tool in
    /// a request. <c>.</c> gives the dotted form (<c>server.tool</c>) for clients that accept dots.
    /// </summary>
    public string Separator { get; set; } = "__";

    /// <summary>The longest name listed; a longer one is cut and ends in a short hash of the full name.</summary>
    [Range(16, 128)]
    public int MaxNameLength { get; set; } = 64;
}

public enum GatewayNaming
{
    Prefixed,
    CollisionsOnly,
}
