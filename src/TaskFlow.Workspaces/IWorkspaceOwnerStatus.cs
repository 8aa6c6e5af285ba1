namespace TaskFlow.Workspaces;

/// <summary>Whether the instance a workspace was made for has finished, so its workspace can be reclaimed.</summary>
public interface IWorkspaceOwnerStatus
{
    /// <summary>True when the instance finished or no longer exists.</summary>
    Task<bool> IsFinishedAsync(string instanceId, CancellationToken cancellationToken);
}
