using System.Text.RegularExpressions;

namespace TaskFlow.Routing;

/// <summary>Checks the fleet's configuration as a whole, so a mistake is named at start rather than at the first call.</summary>
internal static partial class McpRoutingValidation
{
    public static IEnumerable<string> Problems(McpRoutingOptions options, RoutingRules rules)
    {
        foreach (var (name, server) in options.Servers)
        {
            var path = $"{McpRoutingOptions.SectionName}:Servers:{name}";
            if (!ServerName().IsMatch(name))
            {
                yield return $"{path}: the name may hold letters, digits, '-' and '_' only (a '.' separates server and tool in 'server.tool')";
            }

            switch (server.Transport.ToLowerInvariant())
            {
                case "stdio":
                    if (string.IsNullOrWhiteSpace(server.Command))
                    {
                        yield return $"{path}:Command: a stdio server needs the command that starts it";
                    }

                    if (server.Workspace is { } workspace)
                    {
                        if (!UpstreamWorkspaceOptions.Modes.Contains(workspace.Mode, StringComparer.OrdinalIgnoreCase))
                        {
                            yield return $"{path}:Workspace:Mode: '{workspace.Mode}' is not offered for MCP servers; use process (the bubblewrap sandbox), container (a container through the Docker engine) or auto";
                        }

                        if (workspace.Image is { } image && (image.Length == 0 || image.Any(char.IsWhiteSpace)))
                        {
                            yield return $"{path}:Workspace:Image: '{image}' is not an image reference";
                        }

                        foreach (var mount in workspace.Mounts.Where(m => !Path.IsPathFullyQualified(m) || m.Split('/').Contains("..")))
                        {
                            yield return $"{path}:Workspace:Mounts: '{mount}' must be an absolute host path without '..'";
                        }

                        if (!string.IsNullOrEmpty(server.WorkingDirectory))
                        {
                            yield return $"{path}:WorkingDirectory: a confined server runs in its workspace folder; leave WorkingDirectory out";
                        }
                    }

                    break;
                case "http":
                    if (server.Workspace is not null)
                    {
                        yield return $"{path}:Workspace: only stdio servers (processes TaskFlow starts) can be confined to a workspace";
                    }

                    if (!Uri.TryCreate(server.Url, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
                    {
                        yield return $"{path}:Url: '{server.Url}' is not an http(s) URL; an http server needs its Streamable HTTP endpoint";
                    }

                    break;
                default:
                    yield return $"{path}:Transport: '{server.Transport}' is not a transport; use stdio or http";
                    break;
            }

            if (server.Tier is < 1 or > 4)
            {
                yield return $"{path}:Tier: {server.Tier} is not a tier; use 1 (critical) to 4 (support)";
            }

            foreach (var (value, label, min) in new[] { (server.MaxConnections, "MaxConnections", 1), (server.CallsPerConnection, "CallsPerConnection", 1), (server.RateLimit, "RateLimit", 1), (server.Weight, "Weight", 1) })
            {
                if (value < min)
                {
                    yield return $"{path}:{label}: {value} is below {min}";
                }
            }

            if (server.GrowAfter < TimeSpan.Zero)
            {
                yield return $"{path}:GrowAfter: {server.GrowAfter} is negative; use 0 to open connections on the count of calls alone";
            }

            if (server.IdleTimeout <= TimeSpan.Zero)
            {
                yield return $"{path}:IdleTimeout: {server.IdleTimeout} is not positive";
            }
        }

        if (options.Servers.Count > options.MaxTotalConnections)
        {
            yield return $"{McpRoutingOptions.SectionName}:MaxTotalConnections: {options.MaxTotalConnections} connections cannot reach {options.Servers.Count} servers (each needs at least one); raise it to {options.Servers.Count} or more";
        }

        var gateway = options.Gateway;
        if (string.IsNullOrEmpty(gateway.Separator) || !Separator().IsMatch(gateway.Separator))
        {
            yield return $"{McpRoutingOptions.SectionName}:Gateway:Separator: '{gateway.Separator}' cannot form tool names clients accept; use one to four of A-Z a-z 0-9 _ - (the default '__' keeps names within ^[a-zA-Z0-9_-]{{1,64}}$), or '.' for the dotted form";
        }

        if (gateway.MaxNameLength is < 16 or > 128)
        {
            yield return $"{McpRoutingOptions.SectionName}:Gateway:MaxNameLength: {gateway.MaxNameLength} is not from 16 to 128 (Claude's API allows 64)";
        }

        foreach (var (name, server) in options.Servers)
        {
            foreach (var (ruleName, own) in server.ToolNames)
            {
                if (string.IsNullOrWhiteSpace(ruleName) || string.IsNullOrWhiteSpace(own))
                {
                    yield return $"{McpRoutingOptions.SectionName}:Servers:{name}:ToolNames: '{ruleName}' -> '{own}' needs a name on both sides";
                }
            }
        }

        for (var i = 0; i < rules.Rules.Count; i++)
        {
            var rule = rules.Rules[i];
            foreach (var server in rule.Servers.Append(rule.Rollout?.Server).OfType<string>().Where(s => !options.Servers.ContainsKey(s)).Distinct())
            {
                yield return $"routing_priorities[{i}] ('{rule.Pattern}'): server '{server}' is not configured under {McpRoutingOptions.SectionName}:Servers";
            }
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_-]+$")]
    private static partial Regex ServerName();

    [GeneratedRegex(@"^([A-Za-z0-9_-]{1,4}|\.)$")]
    private static partial Regex Separator();
}
