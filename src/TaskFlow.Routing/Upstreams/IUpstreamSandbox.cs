namespace TaskFlow.Routing.Upstreams;

/// <summary>
/// Runs a stdio server confined to a workspace (<see cref="UpstreamServerOptions.Workspace"/>)
/// instead of on the host. Implemented by the workspaces; without one registered, a server with a
/// workspace policy cannot start, and says why.
/// </summary>
public interface IUpstreamSandbox
{
    /// <summary>
    /// Makes the server's workspace and returns the command line that starts the server inside it
    /// (or the server's standard input and output, when the workspace started it);
    /// disposing <see cref="ConfinedLaunch.Lifetime"/> (after the process has ended) destroys the
    /// workspace and whatever is left in it.
    /// </summary>
    Task<ConfinedLaunch> ConfineAsync(
        string server,
        UpstreamWorkspaceOptions policy,
        string command,
        IReadOnlyList<string> arguments,
        IReadOnlyDictionary<string, string> environment,
        CancellationToken cancellationToken);
}

/// <summary>
/// A confined server's command line, environment included (nothing of the host's is added), and its
/// workspace's lifetime; or, for a server its workspace started itself (a container),
/// <see cref="Stdio"/>, its standard input and output, and no command line.
/// </summary>
public sealed record ConfinedLaunch(string Command, IReadOnlyList<string> Arguments, IAsyncDisposable Lifetime, string WorkspaceId, ConfinedStdio? Stdio = null);
