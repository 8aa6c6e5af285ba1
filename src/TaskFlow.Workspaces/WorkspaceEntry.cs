namespace TaskFlow.Workspaces;

/// <summary>A file or folder in a workspace, its path relative to the workspace.</summary>
public sealed record WorkspaceEntry(string Path, bool IsDirectory, long Bytes, DateTimeOffset ModifiedAt);
