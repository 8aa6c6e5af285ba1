using System.Security.Cryptography;

namespace TaskFlow.Workspaces;

/// <summary>The folder holding every workspace, resolved once (relative paths are under the engine's data folder).</summary>
public sealed record WorkspaceRoot(string Path)
{
    /// <summary>
    /// A short name for this installation (machine and folder): its sandboxes carry it, so that two
    /// installations sharing a Docker engine or a cgroup tree never reclaim each other's.
    /// </summary>
    public string Scope { get; } = "tf" + Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Environment.MachineName + "\n" + Path)))[..10];
}
