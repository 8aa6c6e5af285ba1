namespace TaskFlow.Routing;

/// <summary>
/// Where a stdio server runs when it is confined: a workspace of its own (see docs/workspaces.md),
/// made when the server's process starts and destroyed when it ends. The workspace folder
/// (<c>/workspace</c> inside, the working folder) is its only writable place besides a private
/// <c>/tmp</c>; it sees the host's system folders and <see cref="Mounts"/> read-only, and nothing
/// else of the host.
/// </summary>
public sealed class UpstreamWorkspaceOptions
{
    /// <summary>The modes a server can be confined in.</summary>
    public static readonly IReadOnlyList<string> Modes = ["process", "container", "auto"];

    /// <summary>
    /// The isolation mode: <c>process</c> (the bubblewrap sandbox, the default), <c>container</c> (a
    /// container through the Docker engine; the server's program must be in <see cref="Image"/> or
    /// under <see cref="Mounts"/>), or <c>auto</c> (a container when an engine answers, else the sandbox).
    /// </summary>
    public string Mode { get; set; } = "process";

    /// <summary>The container image (container mode); the workspaces' default image when unset.</summary>
    public string? Image { get; set; }

    /// <summary>The workspace's memory limit (<c>512m</c>, <c>2g</c>); the host's default when unset.</summary>
    public string? Memory { get; set; }

    /// <summary>CPUs; the host's default when unset.</summary>
    public double? Cpus { get; set; }

    /// <summary>Processes; the host's default when unset.</summary>
    public int? Pids { get; set; }

    /// <summary>The disk quota of the workspace folder; the host's default when unset.</summary>
    public string? Disk { get; set; }

    /// <summary>Whether the server gets the host's network (when the host allows any workspace one).</summary>
    public bool Network { get; set; }

    /// <summary>Host paths the server needs to read (its program's files), visible read-only at the same place, in the sandbox or the container.</summary>
    public List<string> Mounts { get; set; } = [];

    /// <summary>
    /// When true, the server runs on the host for calls that ask for no workspace, and an
    /// <c>mcp.call</c> node whose workspace policy asks for one gets a copy of the server confined by
    /// this policy (the node's limits taking precedence), started for that call and gone, with its
    /// workspace, after it. When false (the default), the server always runs confined.
    /// </summary>
    public bool OnlyWhenAsked { get; set; }

    /// <summary>This policy as one that always confines (for a copy made for a node).</summary>
    internal UpstreamWorkspaceOptions ConfinedCopy() => new()
    {
        Mode = Mode,
        Image = Image,
        Memory = Memory,
        Cpus = Cpus,
        Pids = Pids,
        Disk = Disk,
        Network = Network,
        Mounts = [.. Mounts],
        OnlyWhenAsked = false,
    };
}
