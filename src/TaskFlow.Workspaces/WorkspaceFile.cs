namespace TaskFlow.Workspaces;

/// <summary>A file read from a workspace.</summary>
/// <param name="Truncated">The file is longer than what was read.</param>
public sealed record WorkspaceFile(string Path, byte[] Content, long Bytes, bool Truncated);
