using System.Globalization;

namespace TaskFlow.Workspaces.Process;

/// <summary>The host programs a sandbox is started through, found once per call.</summary>
/// <param name="Setpriv">Null when the service is not root and so cannot change user.</param>
internal sealed record SandboxTools(string Shell, string Bubblewrap, string Prlimit, string? Setpriv);

/// <summary>What one sandboxed command is: where it runs, as whom, limited how.</summary>
/// <param name="Folder">The host folder bound at <see cref="WorkspacePaths.Inside"/>; null runs without one (the availability probe).</param>
/// <param name="CgroupProcs">The <c>cgroup.procs</c> files the command joins before anything runs.</param>
internal sealed record SandboxSpec(
    string? Folder,
    string Hostname,
    long FileSizeLimit,
    bool Network,
    IReadOnlyList<string> CgroupProcs,
    IReadOnlyList<string> Command,
    IReadOnlyDictionary<string, string>? Environment);

/// <summary>
/// Builds the command line that starts a sandboxed command:
/// <code>
/// sh -c JOIN taskflow-sandbox {cgroup.procs...} -- setpriv ... prlimit ... bwrap ... -- {command}
/// </code>
/// </summary>
/// <remarks>
/// <para>
/// Joining the cgroups cannot race the command: the shell writes its own pid into every
/// <c>cgroup.procs</c> and only then <c>exec</c>s the rest of the chain. Each <c>exec</c> keeps
/// the pid, so bubblewrap, and everything it starts, is born inside the cgroups; no user code
/// runs before. The paths are arguments, never part of the script, so nothing is quoted.
/// </para>
/// <para>
/// <c>setpriv</c> (only when the service is root) drops to the workspace user with no
/// supplementary groups, an empty capability bounding set and no_new_privs; bubblewrap then
/// makes an unprivileged user namespace owned by that user. The sandbox has no capability on the
/// host and its files are owned by that user, never by root. <c>prlimit</c> sets the file size
/// limit (soft and hard, so the command cannot raise it) and forbids core dumps (a core pattern
/// may run a host program as root).
/// </para>
/// </remarks>
internal static class SandboxCommand
{
    /// <summary>Processes bubblewrap needs in the sandbox's cgroups: itself, and the pid namespace's init.</summary>
    public const int BubblewrapPids = 2;

    public const string DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    // Written for dash and bash alike: consumes the cgroup.procs arguments up to "--", then execs the rest.
    private const string JoinScript =
        """
        for procs do
          shift
          [ "$procs" = -- ] && break
          echo $$ > "$procs" || { echo "taskflow: could not join cgroup $procs" >&2; exit 125; }
        done
        exec "$@"
        """;

    public static List<string> Build(SandboxTools tools, ProcessWorkspaceOptions options, SandboxSpec spec)
    {
        List<string> args = [tools.Shell, "-c", JoinScript, "taskflow-sandbox", .. spec.CgroupProcs, "--"];

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
        args.AddRange([tools.Prlimit, $"--fsize={fsize}:{fsize}", "--core=0:0", "--"]);

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
            "--hostname", spec.Hostname,
            "--uid", options.User.ToString(CultureInfo.InvariantCulture),
            "--gid", options.Group.ToString(CultureInfo.InvariantCulture),
        ]);

        AddReadOnlyPaths(args, options.ReadOnlyPaths);
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
