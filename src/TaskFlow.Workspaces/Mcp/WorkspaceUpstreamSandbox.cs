using TaskFlow.Routing;
using TaskFlow.Routing.Upstreams;

namespace TaskFlow.Workspaces.Mcp;

/// <summary>
/// Runs a stdio MCP server of the fleet with a workspace policy inside a workspace of its own: a
/// <c>process</c> workspace (the bubblewrap sandbox runs the server's command), or a
/// <c>container</c> one (the server is started in the container through the engine, attached).
/// The workspace is made when the server starts (its limits from the policy, the host's defaults
/// for the rest, never above the host's maximum) and destroyed, with whatever is left of the
/// server, when the server has ended.
/// </summary>
public sealed class WorkspaceUpstreamSandbox(WorkspaceManager workspaces) : IUpstreamSandbox
{
    public async Task<ConfinedLaunch> ConfineAsync(
        string server,
        UpstreamWorkspaceOptions policy,
        string command,
        IReadOnlyList<string> arguments,
        IReadOnlyDictionary<string, string> environment,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var isolation = policy.Mode.ToLowerInvariant() switch
        {
            "process" => IsolationMode.Process,
            "container" => IsolationMode.Container,
            "auto" => IsolationMode.Auto,
            _ => throw new WorkspaceException($"MCP server '{server}': workspace mode '{policy.Mode}' is not offered for MCP servers; use process, container or auto."),
        };
        var workspace = await workspaces.CreateAsync(
            new WorkspaceRequest(
                Isolation: isolation,
                Image: policy.Image,
                Limits: Limits(server, policy),
                Owner: new WorkspaceOwner(NodeId: $"mcp:{server}"),
                Cleanup: CleanupMode.Immediate,
                ReadOnlyMounts: policy.Mounts),
            cancellationToken);
        try
        {
            var lifetime = new Destroy(workspaces, workspace.Id);
            if (workspace.Isolation == IsolationMode.Process)
            {
                var commandLine = workspaces.LaunchCommand(workspace.Id, [command, .. arguments], environment, policy.Mounts);
                return new ConfinedLaunch(commandLine[0], [.. commandLine.Skip(1)], lifetime, workspace.Id);
            }

            var stdio = await workspaces.StartProgramAsync(workspace.Id, [command, .. arguments], environment, cancellationToken);
            return new ConfinedLaunch(command, arguments, lifetime, workspace.Id, stdio);
        }
        catch
        {
            await workspaces.DestroyAsync(workspace.Id, CleanupMode.Immediate, CancellationToken.None);
            throw;
        }
    }

    private WorkspaceLimits Limits(string server, UpstreamWorkspaceOptions policy)
    {
        var limits = workspaces.DefaultLimits with { Network = policy.Network };
        var problems = new List<string>();
        if (policy.Memory is { } memory)
        {
            if (ByteSize.TryParse(memory, out var bytes))
            {
                limits = limits with { MemoryBytes = bytes };
            }
            else
            {
                problems.Add($"memory '{memory}' is not a size (512m, 2g)");
            }
        }

        if (policy.Disk is { } disk)
        {
            if (ByteSize.TryParse(disk, out var bytes))
            {
                limits = limits with { DiskBytes = bytes };
            }
            else
            {
                problems.Add($"disk '{disk}' is not a size (512m, 2g)");
            }
        }

        limits = limits with { Cpus = policy.Cpus ?? limits.Cpus, Pids = policy.Pids ?? limits.Pids };
        return problems.Count == 0
            ? limits
            : throw new WorkspaceException($"MCP server '{server}': its workspace policy is refused: {string.Join("; ", problems)}.");
    }

    /// <summary>Destroys the server's workspace once its process has ended.</summary>
    private sealed class Destroy(WorkspaceManager workspaces, string id) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await workspaces.DestroyAsync(id, CleanupMode.Immediate, CancellationToken.None);
    }
}
