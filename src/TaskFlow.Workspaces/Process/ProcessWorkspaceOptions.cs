using System.Text.RegularExpressions;

namespace TaskFlow.Workspaces.Process;

/// <summary>
/// The <c>process</c> isolation mode: a bubblewrap sandbox limited by cgroup v1 or v2 controllers.
/// Section <c>TaskFlow:Workspaces:Process</c>.
/// </summary>
public sealed partial class ProcessWorkspaceOptions
{
    public const string SectionName = "TaskFlow:Workspaces:Process";

    /// <summary>The <c>bwrap</c> executable (bubblewrap 0.8 or later); null finds <c>bwrap</c> on PATH.</summary>
    public string? BubblewrapPath { get; set; }

    /// <summary>
    /// Where the cgroups are: a folder holding the cgroup v1 controllers, one folder each
    /// (<c>memory</c>, <c>pids</c>, <c>cpu</c>), or a cgroup v2 hierarchy (or a delegated cgroup in
    /// one, holding no processes itself) that offers those three controllers.
    /// </summary>
    public string CgroupRoot { get; set; } = "/sys/fs/cgroup";

    /// <summary>
    /// The cgroup (one path segment) under each controller that holds one cgroup per workspace;
    /// everything under it belongs to this provider and is what <c>ListOwnedAsync</c> reports.
    /// </summary>
    public string CgroupParent { get; set; } = "taskflow";

    /// <summary>
    /// The host user id commands run as (<c>nobody</c> by default). When the service runs as root
    /// it drops to this id before starting bubblewrap, so the sandbox is an unprivileged user
    /// namespace owned by this id, and the workspace folder is handed to it. A service that is not
    /// root runs commands as itself. Inside, the id is the same.
    /// </summary>
    public int User { get; set; } = 65534;

    /// <summary>The host group id commands run as (<c>nogroup</c> by default); see <see cref="User"/>.</summary>
    public int Group { get; set; } = 65534;

    /// <summary>
    /// Host paths visible read-only inside, at the same place. A missing path is skipped; a
    /// symbolic link whose target is visible too stays a link (<c>/bin</c> to <c>usr/bin</c> on
    /// merged-/usr systems), any other link is bound as its target. Nothing else of the host is
    /// visible: no <c>/home</c>, <c>/root</c>, <c>/var</c>, <c>/run</c>, host <c>/tmp</c>, or the
    /// rest of <c>/etc</c> (no <c>passwd</c>, <c>shadow</c>, or credentials).
    /// </summary>
    public List<string> ReadOnlyPaths { get; set; } =
    [
        "/usr",
        "/bin",
        "/sbin",
        "/lib",
        "/lib32",
        "/lib64",
        "/libx32",

        // Debian's alternatives (awk, editor, ...) are links through /etc/alternatives.
        "/etc/alternatives",
        "/etc/ld.so.cache",
        "/etc/ld.so.conf",
        "/etc/ld.so.conf.d",
        "/etc/localtime",
        "/etc/ssl/certs",
    ];

    /// <summary>Host paths also visible read-only when a workspace has the network (name resolution).</summary>
    public List<string> NetworkReadOnlyPaths { get; set; } =
    [
        "/etc/resolv.conf",
        "/etc/hosts",
        "/etc/nsswitch.conf",
        "/etc/host.conf",
        "/etc/gai.conf",
    ];

    /// <summary>
    /// Whether a workspace whose limits ask for the network (<see cref="WorkspaceLimits.Network"/>)
    /// gets the host's network. Off: every workspace has a network namespace of its own with only
    /// a loopback, whatever its limits say.
    /// </summary>
    public bool AllowNetwork { get; set; }

    /// <summary>
    /// Whether a workspace must have its memory, CPU and process limits. When the cgroups cannot
    /// be created here and this is false, workspaces run without them (still sandboxed, and the
    /// file size limit still applies) and a warning is logged; when true, creating one fails.
    /// </summary>
    public bool RequireLimits { get; set; } = true;

    /// <summary>Every problem with these options, each a sentence naming the setting.</summary>
    public IEnumerable<string> Problems()
    {
        if (BubblewrapPath is { } bwrap && !Path.IsPathFullyQualified(bwrap))
        {
            yield return $"{SectionName}:BubblewrapPath: '{bwrap}' is not an absolute path; give the full path or leave it empty to find bwrap on PATH";
        }

        if (!Path.IsPathFullyQualified(CgroupRoot))
        {
            yield return $"{SectionName}:CgroupRoot: '{CgroupRoot}' is not an absolute path";
        }

        if (!CgroupName().IsMatch(CgroupParent) || CgroupParent is "." or "..")
        {
            yield return $"{SectionName}:CgroupParent: '{CgroupParent}' must be one folder name of letters, digits, '.', '-' and '_'";
        }

        if (User < 0)
        {
            yield return $"{SectionName}:User: {User} is not a user id";
        }

        if (Group < 0)
        {
            yield return $"{SectionName}:Group: {Group} is not a group id";
        }

        foreach (var path in ReadOnlyPaths.Concat(NetworkReadOnlyPaths))
        {
            if (!Path.IsPathFullyQualified(path) || Path.TrimEndingDirectorySeparator(path) == "/")
            {
                yield return $"{SectionName}:ReadOnlyPaths: '{path}' must be an absolute path other than '/'";
            }
            else if (path.Split('/').Contains(".."))
            {
                yield return $"{SectionName}:ReadOnlyPaths: '{path}' must not contain '..'";
            }
        }
    }

    [GeneratedRegex("^[A-Za-z0-9._-]+$")]
    private static partial Regex CgroupName();
}
