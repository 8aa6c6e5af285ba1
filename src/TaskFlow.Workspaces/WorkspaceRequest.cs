namespace TaskFlow.Workspaces;

/// <summary>What a new workspace should be; anything left null takes the configured default.</summary>
/// <param name="Key">Names a workspace to share: a request with the key of a live workspace gets that one (an instance's shared workspace).</param>
/// <param name="ReadOnlyMounts">Host paths visible read-only at the same place inside a container workspace (a program's files); such a workspace never comes from the warm pool.</param>
public sealed record WorkspaceRequest(
    IsolationMode? Isolation = null,
    string? Image = null,
    WorkspaceLimits? Limits = null,
    WorkspaceOwner? Owner = null,
    TimeSpan? Timeout = null,
    CleanupMode? Cleanup = null,
    string? Key = null,
    IReadOnlyList<string>? ReadOnlyMounts = null);
