using System.Text.Json;
using System.Text.Json.Serialization;

namespace TaskFlow.Workspaces;

/// <summary>Whether a workspace can run commands, or has been released and waits for cleanup.</summary>
public enum WorkspaceState
{
    Active,

    /// <summary>Its sandbox is gone; its folder is kept until cleanup reclaims it (lazy or scheduled cleanup).</summary>
    Released,

    /// <summary>Created ahead of use (the warm pool): a ready container that the next matching request takes. Holds no slot and is not listed.</summary>
    Warm,
}

/// <summary>
/// A workspace as the manager keeps it: in memory, and as <c>workspace.json</c> next to its files
/// folder, so a restarted process finds what the previous one left and can reclaim it.
/// </summary>
public sealed record WorkspaceRecord(
    string Id,
    IsolationMode Isolation,
    WorkspaceLimits Limits,
    WorkspaceOwner Owner,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    CleanupMode Cleanup,
    string? Image,
    WorkspaceState State = WorkspaceState.Active,
    DateTimeOffset? ReleasedAt = null,
    string? Key = null,
    IReadOnlyList<string>? ReadOnlyMounts = null)
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    internal WorkspaceInfo ToInfo(string folder) => new(Id, Isolation, folder, Limits, Owner, CreatedAt, ExpiresAt, Image, ReadOnlyMounts);
}

/// <summary>A workspace with what it uses now, for the API and the MCP tools.</summary>
/// <param name="DiskBytes">The files folder's size now.</param>
public sealed record WorkspaceView(WorkspaceRecord Workspace, long DiskBytes, int CommandsRunning);
