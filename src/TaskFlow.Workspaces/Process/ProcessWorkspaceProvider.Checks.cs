using System.Text.RegularExpressions;

namespace TaskFlow.Workspaces.Process;

// The provider's checks: arguments, host programs, and whether the sandbox user can reach the folder.
public sealed partial class ProcessWorkspaceProvider
{
    private SandboxTools? FindTools(out string? missing)
    {
        missing = null;
        if (!OperatingSystem.IsLinux())
        {
            missing = "bubblewrap sandboxes need Linux";
            return null;
        }

        var bubblewrap = _options.BubblewrapPath ?? HostExecutables.Find("bwrap");
        if (bubblewrap is null)
        {
            missing = "bubblewrap (bwrap) is not installed; install the 'bubblewrap' package";
            return null;
        }

        if (!HostExecutables.IsExecutable(bubblewrap))
        {
            missing = $"bubblewrap (bwrap) is not installed at {bubblewrap} ({ProcessWorkspaceOptions.SectionName}:BubblewrapPath); install the 'bubblewrap' package or correct the path";
            return null;
        }

        var shell = HostExecutables.IsExecutable("/bin/sh") ? "/bin/sh" : HostExecutables.Find("sh");
        if (shell is null)
        {
            missing = "/bin/sh is needed to start sandboxes";
            return null;
        }

        if (!Environment.IsPrivilegedProcess)
        {
            return new SandboxTools(shell, bubblewrap, UserName: null, Setpriv: null);
        }

        // In cgroup v2 a process may move to another cgroup only with write access to the
        // cgroup.procs of both cgroups' common ancestor (the root, here): an unprivileged shell
        // cannot join the command's cgroup, so the shell stays root until it has, and setpriv drops.
        if (Hierarchy.Version == CgroupVersion.V1 && _account.Value is { } userName)
        {
            return new SandboxTools(shell, bubblewrap, userName, Setpriv: null);
        }

        if (HostExecutables.Find("setpriv") is not { } setpriv)
        {
            missing = Hierarchy.Version == CgroupVersion.V2
                ? "util-linux's setpriv is needed to start sandboxes as the sandbox user after joining their cgroup v2 cgroup; install the 'util-linux' package"
                : $"the sandbox user {_options.User}:{_options.Group} has no account of its own in /etc/passwd, so util-linux's setpriv is needed to start sandboxes as that user; install the 'util-linux' package";
            return null;
        }

        return new SandboxTools(shell, bubblewrap, UserName: null, setpriv);
    }

    // bubblewrap binds the folder as the workspace user, who must be able to walk down to it.
    private void CheckReachable(string folder)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        for (var dir = Path.GetDirectoryName(Path.GetFullPath(folder)); dir is not null; dir = Path.GetDirectoryName(dir))
        {
            if ((File.GetUnixFileMode(dir) & UnixFileMode.OtherExecute) == 0)
            {
                throw new WorkspaceException(
                    $"The workspace folder {folder} cannot be reached by the sandbox user {_options.User}: {dir} is not searchable by other users; give the folders above workspaces mode 0711 or 0755");
            }
        }
    }

    private static void CheckId(string workspaceId)
    {
        if (!WorkspaceId().IsMatch(workspaceId))
        {
            throw new ArgumentException($"'{workspaceId}' is not a workspace id ([a-z0-9-], at most 64 characters)", nameof(workspaceId));
        }
    }

    private static void CheckLimits(WorkspaceLimits limits)
    {
        if (limits.MemoryBytes <= 0 || limits.Pids <= 0 || limits.DiskBytes <= 0 || !(limits.Cpus > 0) || double.IsInfinity(limits.Cpus))
        {
            throw new ArgumentException($"Workspace limits must all be positive: {limits}", nameof(limits));
        }
    }

    private static void CheckRequest(ExecRequest request)
    {
        if (request.Command.Count == 0 || string.IsNullOrEmpty(request.Command[0]))
        {
            throw new ArgumentException("The command is empty", nameof(request));
        }

        if (request.Command.Any(a => a.Contains('\0', StringComparison.Ordinal)))
        {
            throw new ArgumentException("A command argument contains a NUL character", nameof(request));
        }

        foreach (var (name, value) in request.Environment ?? new Dictionary<string, string>())
        {
            if (name.Length == 0 || name.Contains('=', StringComparison.Ordinal) || name.Contains('\0', StringComparison.Ordinal) || value.Contains('\0', StringComparison.Ordinal))
            {
                throw new ArgumentException($"'{name}' is not an environment variable name (or its value holds a NUL)", nameof(request));
            }
        }

        if (request.Timeout is { } timeout && timeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(request), timeout, "The timeout must be positive");
        }

        if (request.MaxOutputBytes < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(request), request.MaxOutputBytes, "MaxOutputBytes cannot be negative");
        }
    }

    [GeneratedRegex("^[a-z0-9-]{1,64}$")]
    private static partial Regex WorkspaceId();
}
