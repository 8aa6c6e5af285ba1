namespace TaskFlow.Workspaces.Cleanup;

/// <summary>Which workspaces a cleanup pass reclaims.</summary>
public enum CleanupPass
{
    /// <summary>Workspaces released with <see cref="CleanupMode.Lazy"/>.</summary>
    Lazy,

    /// <summary>Expired workspaces, those whose instance finished, and orphans (sandboxes and folders with no record).</summary>
    Scheduled,
}
