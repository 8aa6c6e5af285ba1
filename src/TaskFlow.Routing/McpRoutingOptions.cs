using System.ComponentModel.DataAnnotations;

namespace TaskFlow.Routing;

/// <summary>The MCP router: the upstream fleet and how calls are routed. Section <c>TaskFlow:Mcp</c>.</summary>
public sealed class McpRoutingOptions
{
    public const string SectionName = "TaskFlow:Mcp";

    /// <summary>The upstream servers by name (letters, digits, '-', '_'; no dots: a dot separates server and tool).</summary>
    public Dictionary<string, UpstreamServerOptions> Servers { get; set; } = new(StringComparer.Ordinal);

    /// <summary>A YAML file with the report's <c>mcp_routing_rules</c> block; relative paths are from the working folder.</summary>
    public string? RulesFile { get; set; }

    /// <summary>The same YAML inline (used when <see cref="RulesFile"/> is not set).</summary>
    public string? Rules { get; set; }

    /// <summary>Connections to all servers together (the report's 200).</summary>
    [Range(1, 10_000)]
    public int MaxTotalConnections { get; set; } = 200;

    /// <summary>How long one call to one server may take before it counts as a failure.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a server's tool list is trusted without a <c>tools/list_changed</c> notification.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan ToolCacheTtl { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How the gateway (<c>/mcp</c>, <c>taskflow mcp gateway</c>) names the fleet's tools.</summary>
    public Gateway.McpGatewayOptions Gateway { get; set; } = new();

    /// <summary>How long starting a server (spawning it and the MCP handshake) may take.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>One upstream MCP server.</summary>
public sealed class UpstreamServerOptions
{
    /// <summary><c>stdio</c> (a process TaskFlow starts) or <c>http</c> (Streamable HTTP at <see cref="Url"/>).</summary>
    public string Transport { get; set; } = "stdio";

    public string? Command { get; set; }

    public List<string> Arguments { get; set; } = [];

    public Dictionary<string, string> Environment { get; set; } = new(StringComparer.Ordinal);

    public string? WorkingDirectory { get; set; }

    /// <summary>
    /// Confines a stdio server to a workspace of its own (<c>mode</c>, <c>memory</c>, <c>cpus</c>,
    /// <c>pids</c>, <c>disk</c>, <c>network</c>, <c>mounts</c>): its folder is the only writable
    /// path, the network is off unless asked for, and the workspace lives as long as the server's
    /// process. Null: the server runs on the host.
    /// </summary>
    public UpstreamWorkspaceOptions? Workspace { get; set; }

    public string? Url { get; set; }

    public Dictionary<string, string> Headers { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The report's tiers: 1 critical (priority 100), 2 (75), 3 (50), 4 support (25).</summary>
    [Range(1, 4)]
    public int Tier { get; set; } = 3;

    /// <summary>Share in weighted round robin.</summary>
    [Range(1, 1000)]
    public int Weight { get; set; } = 1;

    /// <summary>Connections (for stdio: processes) at most; the report's 10.</summary>
    [Range(1, 1000)]
    public int MaxConnections { get; set; } = 10;

    /// <summary>Calls in flight on one connection before another one may be opened (see <see cref="GrowAfter"/>).</summary>
    [Range(1, 10_000)]
    public int CallsPerConnection { get; set; } = 16;

    /// <summary>
    /// How long the oldest call on the least busy connection must have been outstanding, with
    /// <see cref="CallsPerConnection"/> calls in flight there, before another connection is opened.
    /// One MCP connection carries many calls at once, so a server that answers quickly is fastest
    /// on one connection; more connections pay off only when calls wait on a server that handles
    /// them slowly or one at a time. The default is above what a quick tool takes with dozens of
    /// calls in flight on a busy machine, and below what calls queued on a slow server wait. Zero
    /// opens one on the count alone.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan GrowAfter { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>A pooled connection without a call for this long is closed, down to one connection per server.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")]
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The largest single message (a tool's answer, a notification) the server may send, in MB;
    /// the scaling report's 10 MB message buffer. A larger one fails the call it answers, naming
    /// this setting, and the session is replaced, so the answer never reaches a workflow's state.
    /// </summary>
    [Range(1, 1024)]
    public int MaxMessageMegabytes { get; set; } = 10;

    /// <summary>Messages per second to this server; the report's 100.</summary>
    [Range(1, 1_000_000)]
    public int RateLimit { get; set; } = 100;

    public List<string> Tags { get; set; } = [];

    /// <summary>Start at router start instead of at first use.</summary>
    public bool Eager { get; set; }

    /// <summary>
    /// <c>Shared</c> (the default): one pool of connections serves every caller, gateway sessions
    /// included, so N gateway clients cost one copy of the server. <c>Pinned</c>: each gateway
    /// session gets an upstream session of its own, for servers that keep per-client state which
    /// must not be mixed.
    /// </summary>
    public UpstreamSessionMode Session { get; set; } = UpstreamSessionMode.Shared;

    /// <summary>
    /// Tools (as this server lists them, or <c>*</c> for all) that are safe to send twice: a call
    /// cut off by a crash is retried once. Tools whose listing says <c>idempotentHint</c> or
    /// <c>readOnlyHint</c> count as listed here.
    /// </summary>
    public List<string> IdempotentTools { get; set; } = [];

    /// <summary>
    /// The name a routing rule uses for a tool (with or without the rule's namespace) to the name
    /// this server lists it under, for servers of one rule that name the same tool differently.
    /// </summary>
    public Dictionary<string, string> ToolNames { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The report's priority for the tier: 100, 75, 50, 25.</summary>
    public int Priority => 125 - (25 * Tier);

    /// <summary>A copy of these options for one confined process made for a node: one connection, confined by <paramref name="workspace"/>.</summary>
    internal UpstreamServerOptions ConfinedCopy(UpstreamWorkspaceOptions workspace) => new()
    {
        Transport = Transport,
        Command = Command,
        Arguments = [.. Arguments],
        Environment = new Dictionary<string, string>(Environment, StringComparer.Ordinal),
        WorkingDirectory = WorkingDirectory,
        Workspace = workspace,
        Tier = Tier,
        MaxConnections = 1,
        CallsPerConnection = CallsPerConnection,
        MaxMessageMegabytes = MaxMessageMegabytes,
        RateLimit = RateLimit,
        IdempotentTools = [.. IdempotentTools],
        ToolNames = new Dictionary<string, string>(ToolNames, StringComparer.Ordinal),
    };
}

/// <summary>Whether gateway sessions share a server's connections (see <see cref="UpstreamServerOptions.Session"/>).</summary>
public enum UpstreamSessionMode
{
    Shared,
    Pinned,
}
