using System.Globalization;

namespace TaskFlow.Workspaces.Container;

/// <summary>How container workspaces are made. Section <c>TaskFlow:Workspaces:Container</c>.</summary>
public sealed class ContainerWorkspaceOptions
{
    public const string SectionName = "TaskFlow:Workspaces:Container";

    /// <summary>The name of the engine's fallback socket, used when neither this option nor <c>DOCKER_HOST</c> names one.</summary>
    public const string DefaultDockerHost = "unix:///var/run/docker.sock";

    /// <summary>The Docker Engine API endpoint (<c>unix:///path</c> or <c>tcp://host:port</c>); null takes <c>DOCKER_HOST</c>, else <see cref="DefaultDockerHost"/>.</summary>
    public string? DockerHost { get; set; }

    /// <summary>
    /// The image of workspaces that do not name one. It needs a POSIX <c>sh</c> for the exec agent
    /// (see <see cref="ExecAgent"/>), or else a <c>sleep</c> that takes <c>infinity</c> (busybox's
    /// and coreutils' do): either keeps the container alive between commands.
    /// </summary>
    public string Image { get; set; } = "local/busybox:latest";

    /// <summary>
    /// Who runs in the container, as numeric <c>uid:gid</c> (never root). The workspace folder is
    /// given to this user on the host, so it must be a number the host understands, not a name
    /// from the image's <c>/etc/passwd</c>.
    /// </summary>
    public string User { get; set; } = "65534:65534";

    /// <summary>
    /// The engine's OCI runtime (e.g. <c>runsc</c> for gVisor); null takes the engine's default.
    /// Under a runtime other than runc the host cannot see a command's processes, so a command
    /// at its timeout is stopped by restarting its container, which ends the workspace's other
    /// commands too.
    /// </summary>
    public string? Runtime { get; set; }

    /// <summary>
    /// Whether commands go through the exec agent, the container's main process (a few
    /// milliseconds a command), rather than an engine exec each (about 100 ms). An image without
    /// the agent's few tools (<c>sh</c>, <c>mkfifo</c>, <c>dd</c>, <c>wc</c>, <c>base64</c>,
    /// <c>setsid</c>) falls back to execs on its own. Off, the container's main process is
    /// <c>sleep infinity</c>, as before the agent.
    /// </summary>
    public bool ExecAgent { get; set; } = true;

    /// <summary>
    /// Whether a workspace whose limits ask for a network may have one. Off, every workspace
    /// gets network mode <c>none</c> whatever its limits say: a policy alone cannot open the
    /// network on a host whose operator has not.
    /// </summary>
    public bool AllowNetwork { get; set; }

    /// <summary>
    /// Marks the containers of one TaskFlow installation (label <c>taskflow.scope</c>), so that
    /// several installations on one engine each reclaim only their own orphans. Set by the host
    /// from the workspace folder; empty when unset.
    /// </summary>
    public string? Scope { get; set; }

    /// <summary>The endpoint in effect: <see cref="DockerHost"/>, else <c>DOCKER_HOST</c>, else <see cref="DefaultDockerHost"/>.</summary>
    public string EffectiveDockerHost =>
        !string.IsNullOrWhiteSpace(DockerHost) ? DockerHost
        : Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 } fromEnvironment ? fromEnvironment
        : DefaultDockerHost;

    internal IEnumerable<string> Problems()
    {
        var host = EffectiveDockerHost;
        if (!Uri.TryCreate(host, UriKind.Absolute, out var uri) || uri.Scheme is not ("unix" or "tcp" or "npipe"))
        {
            yield return $"{SectionName}:DockerHost '{host}' is not an engine address; use unix:///path/to/docker.sock or tcp://host:port.";
        }

        if (string.IsNullOrWhiteSpace(Image))
        {
            yield return $"{SectionName}:Image is required.";
        }

        if (!TryParseUser(User, out var uid, out _))
        {
            yield return $"{SectionName}:User '{User}' must be a numeric uid:gid (e.g. 65534:65534), since the workspace folder is given to that user on the host.";
        }
        else if (uid == 0)
        {
            yield return $"{SectionName}:User '{User}' is root; workspaces must run as an unprivileged user.";
        }

        if (Runtime is { } runtime && string.IsNullOrWhiteSpace(runtime))
        {
            yield return $"{SectionName}:Runtime is blank; leave it unset for the engine's default.";
        }
    }

    /// <summary>Parses <c>uid</c> or <c>uid:gid</c> (the gid defaults to the uid).</summary>
    internal static bool TryParseUser(string? user, out uint uid, out uint gid)
    {
        uid = gid = 0;
        if (string.IsNullOrEmpty(user))
        {
            return false;
        }

        var parts = user.Split(':');
        if (parts.Length > 2 || !uint.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out uid))
        {
            return false;
        }

        gid = uid;
        return parts.Length == 1 || uint.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out gid);
    }
}
