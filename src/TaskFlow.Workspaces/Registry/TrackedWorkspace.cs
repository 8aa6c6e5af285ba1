namespace TaskFlow.Workspaces.Registry;

/// <summary>A workspace and what is running in it. The record is replaced, never changed in place; lock the object to replace it.</summary>
internal sealed class TrackedWorkspace(WorkspaceRecord record)
{
    public WorkspaceRecord Record { get; set; } = record;

    /// <summary>Commands running now (changed with <see cref="Interlocked"/>).</summary>
    public int Running;
}
