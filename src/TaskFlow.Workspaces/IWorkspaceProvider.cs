namespace TaskFlow.Workspaces;

/// <summary>
/// One isolation mode. The workspace manager owns ids, folders, quotas, file access, policies and
/// cleanup; a provider only builds the sandbox around a folder, runs commands in it, tears it
/// down, and finds what it left behind after a crash. Every method is safe to call concurrently
/// for different workspaces.
/// </summary>
public interface IWorkspaceProvider
{
    IsolationMode Mode { get; }

    /// <summary>Null when the mode can run here; otherwise why not (said so a user can fix it).</summary>
    Task<string?> CheckAvailableAsync(CancellationToken cancellationToken);

    /// <summary>Builds the sandbox around <see cref="WorkspaceInfo.Folder"/> (which exists and is empty). Throws <see cref="WorkspaceUnavailableException"/> when the mode cannot run here.</summary>
    Task CreateAsync(WorkspaceInfo workspace, CancellationToken cancellationToken);

    /// <summary>
    /// Runs a command in the workspace, working directory <see cref="WorkspacePaths.Inside"/>.
    /// Kills it (and everything it started) at its timeout or when <paramref name="cancellationToken"/>
    /// fires, and returns a result saying so rather than throwing. Throws only when the command
    /// could not be run at all.
    /// </summary>
    Task<ExecResult> ExecAsync(WorkspaceInfo workspace, ExecRequest request, CancellationToken cancellationToken);

    /// <summary>Removes the sandbox (not the folder, which the manager removes). Idempotent: a workspace already gone is fine.</summary>
    Task DestroyAsync(string workspaceId, CancellationToken cancellationToken);

    /// <summary>The ids of sandboxes this provider has running or left behind (containers with TaskFlow's labels, cgroups), for orphan reclamation.</summary>
    Task<IReadOnlyList<string>> ListOwnedAsync(CancellationToken cancellationToken);
}
