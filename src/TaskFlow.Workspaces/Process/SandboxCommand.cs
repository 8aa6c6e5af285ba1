using System.Globalization;

namespace TaskFlow.Workspaces.Process;

/// <summary>The host programs a sandbox is started through, and as whom, found once per provider.</summary>
/// <param name="UserName">
/// When the service is root and the workspace user has an account whose only group is the
/// workspace group: its name. The sandbox's first process is then started as that user directly.
/// </param>
/// <param name="Setpriv">
/// When the service is root and the workspace user cannot be named that way: setpriv, which
/// drops to the user in the launch chain. Null for a service that is not root (it cannot change
/// user, and needs not) or that starts sandboxes by <paramref name="UserName"/>.
/// </param>
internal sealed record SandboxTools(string Shell, string Bubblewrap, string? UserName, string? Setpriv)
{
    /// <summary>Whether sandboxes run as the workspace user rather than as the service's own user.</summary>
    public bool SwitchesUser => UserName is not null || Setpriv is not null;
}

/// <summary>What one sandboxed command is: where it runs, as whom, limited how.</summary>
/// <param name="Folder">The host folder bound at <see cref="WorkspacePaths.Inside"/>; null runs without one (the availability probe).</param>
/// <param name="CgroupProcs">The <c>cgroup.procs</c> files the command joins before anything runs.</param>
/// <param name="ReadOnlyPaths">Host paths visible read-only besides the configured ones (a confined MCP server's program files).</param>
internal sealed record SandboxSpec(
    string? Folder,
    string Hostname,
    long FileSizeLimit,
    bool Network,
    IReadOnlyList<string> CgroupProcs,
    IReadOnlyList<string> Command,
    IReadOnlyDictionary<string, string>? Environment,
    IReadOnlyList<string>? ReadOnlyPaths = null);

/// <summary>
/// Builds the command line that starts a sandboxed command:
/// <code>
/// sh -c LIMIT-AND-JOIN taskflow-sandbox {file size blocks} {cgroup.procs...} -- [setpriv ... --] bwrap ... -- {command}
/// </code>
/// </summary>
/// <remarks>
/// <para>
/// Two processes before the command, because every program started on the way costs a few
/// milliseconds. The shell sets the limits bubblewrap has no option for and joins the cgroups,
/// then <c>exec</c>s bubblewrap, keeping its pid: bubblewrap, and everything it starts, is born
/// inside the cgroups and under the limits, and no user code runs before. The paths are
/// arguments, never part of the script, so nothing is quoted.
/// </para>
/// <para>
/// When the service is root, the sandbox runs as the workspace user with no supplementary
/// groups. Normally the service starts the shell as that user itself (the command's
/// <c>cgroup.procs</c> files are given to the user for the join); for a user id with no account,
/// or one with other groups, <c>setpriv</c> drops to it between the shell and bubblewrap instead.
/// bubblewrap then makes an unprivileged user namespace owned by that user, sets no_new_privs and
/// empties the capability bounding set: the sandbox has no capability on the host and its files
/// are owned by that user, never by root.
/// </para>
/// <para>
/// The limits: the file size limit (soft and hard, so the command cannot raise it; the shell's
/// <c>ulimit -f</c> counts in 512-byte blocks, so the limit is the quota rounded down to one),
/// and no core dumps (a core pattern may run a host program as root).
/// </para>
/// </remarks>
internal static class SandboxCommand
{
    /// <summary>Processes bubblewrap needs in the sandbox's cgroups: itself, and the pid namespace's init.</summary>
    public const int BubblewrapPids = 2;

    public const string DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /// <summary>The unit of the shell's <c>ulimit -f</c>.</summary>
    public const long FileSizeBlock = 512;

    // Written for dash and bash alike: sets the limits from the first argument, consumes the
    // cgroup.procs arguments up to "--", then execs the rest.
    private const string LimitAndJoinScript =
        """
        ulimit -c 0 && ulimit -f "$1" || { echo "taskflow: could not set the file size limit" >&2; exit 125; }
        shift
        for procs do
          shift
          [ "$procs" = -- ] && break
          echo $$ > "$procs" || { echo "taskflow: could not join cgroup $procs" >&2; exit 125; }
        done
        exec "$@"
        """;

    public static List<string> Build(SandboxTools tools, ProcessWorkspaceOptions options, SandboxSpec spec)
    {
        var blocks = Math.Max(1, spec.FileSizeLimit / FileSizeBlock).ToString(CultureInfo.InvariantCulture);
        List<string> args = [tools.Shell, "-c", LimitAndJoinScript, "taskflow-sandbox", blocks, .. spec.CgroupProcs, "--"];

        if (tools.Setpriv is { } setpriv)
        {
            args.AddRange(
            [
                setpriv,
                $"--reuid={options.User.ToString(CultureInfo.InvariantCulture)}",
                $"--regid={options.Group.ToString(CultureInfo.InvariantCulture)}",
                "--clear-groups",
                "--bounding-set=-all",
                "--no-new-privs",
                "--",
            ]);
        }

        var fsize = spec.FileSizeLimit.ToString(CultureInfo.InvariantCulture);
        args.AddRange(
        [
            tools.Bubblewrap,

            // New user, pid, mount, ipc, uts and cgroup namespaces, and a network namespace with
            // only a loopback unless the network is shared. The user namespace is asked for
            // explicitly so that nested ones can be forbidden.
            "--unshare-all",
            "--unshare-user",
            "--disable-userns",
            .. spec.Network ? ["--share-net"] : Array.Empty<string>(),

            // If this process dies, the sandbox's init dies, and with a pid namespace's init
            // every process in the namespace dies: nothing outlives the command.
            "--die-with-parent",

            // A new session: no terminal to push keystrokes into (TIOCSTI).
            "--new-session",

            // No capability inside either, not even in the sandbox's own user namespace.
            "--cap-drop", "ALL",
            "--hostname", spec.Hostname,
            "--uid", options.User.ToString(CultureInfo.InvariantCulture),
            "--gid", options.Group.ToString(CultureInfo.InvariantCulture),
        ]);

        AddReadOnlyPaths(args, [.. options.ReadOnlyPaths, .. spec.ReadOnlyPaths ?? []]);
        if (spec.Network)
        {
            AddReadOnlyPaths(args, options.NetworkReadOnlyPaths);
        }

        args.AddRange(["--proc", "/proc", "--dev", "/dev", "--size", fsize, "--tmpfs", "/tmp"]);
        if (spec.Folder is { } folder)
        {
            args.AddRange(["--bind", folder, WorkspacePaths.Inside]);
        }

        // The root bubblewrap built is a tmpfs the sandbox user owns; made read-only, the only
        // writable places are the workspace, the private /tmp and /dev's tmpfs.
        args.AddRange(["--remount-ro", "/", "--chdir", spec.Folder is null ? "/" : WorkspacePaths.Inside]);

        args.AddRange(["--clearenv", "--setenv", "PATH", DefaultPath, "--setenv", "HOME", spec.Folder is null ? "/" : WorkspacePaths.Inside]);
        foreach (var (name, value) in spec.Environment ?? new Dictionary<string, string>())
        {
            args.AddRange(["--setenv", name, value]);
        }

        args.Add("--");
        args.AddRange(spec.Command);
        return args;
    }

    private static void AddReadOnlyPaths(List<string> args, IReadOnlyList<string> paths)
    {
        var visible = paths.Where(p => Directory.Exists(p) || File.Exists(p)).Select(p => Path.TrimEndingDirectorySeparator(p)).ToList();
        foreach (var path in visible)
        {
            var info = new FileInfo(path);
            if (info.LinkTarget is { } target)
            {
                var final = info.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? target;
                if (visible.Any(v => final == v || final.StartsWith(v + "/", StringComparison.Ordinal)))
                {
                    args.AddRange(["--symlink", target, path]);
                }
                else
                {
                    args.AddRange(["--ro-bind", final, path]);
                }
            }
            else
            {
                args.AddRange(["--ro-bind", path, path]);
            }
        }
    }
}
