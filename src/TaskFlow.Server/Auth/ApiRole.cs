namespace TaskFlow.Server.Auth;

/// <summary>
/// What an API key may do. Each role includes the ones below it, except <see cref="Metrics"/>,
/// which only scrapes <c>/metrics</c> (every other role may scrape too).
/// </summary>
public enum ApiRole
{
    /// <summary><c>GET /metrics</c> only: for Prometheus.</summary>
    Metrics,

    /// <summary>Reads: definitions, instances, journals, approvals, the fleet's status, the designer and the API reference.</summary>
    Viewer,

    /// <summary>A viewer who also runs, cancels and retries instances, decides approvals, sends events, decomposes tasks, removes workspaces and calls the MCP endpoints.</summary>
    Operator,

    /// <summary>Everything: saving, publishing and deleting definitions, imports, rollouts, the Hangfire dashboard.</summary>
    Admin,
}

/// <summary>How roles compare.</summary>
public static class ApiRoles
{
    /// <summary>Whether a key of role <paramref name="held"/> may do what needs <paramref name="needed"/>.</summary>
    public static bool Satisfies(this ApiRole held, ApiRole needed) =>
        needed == ApiRole.Metrics || (held != ApiRole.Metrics && held >= needed);

    /// <summary>The role's name as configuration and messages spell it (<c>operator</c>).</summary>
    public static string Name(this ApiRole role) => role.ToString().ToLowerInvariant();
}
