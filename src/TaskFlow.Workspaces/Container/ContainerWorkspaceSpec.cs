using System.Globalization;
using Docker.DotNet.Models;

namespace TaskFlow.Workspaces.Container;

/// <summary>
/// The container a workspace lives in: its name, labels and limits, made from the workspace
/// and the options alone so that they can be checked without an engine.
/// </summary>
internal static class ContainerWorkspaceSpec
{
    public const string NamePrefix = "taskflow-ws-";

    public const string OwnerLabel = "taskflow.owner";
    public const string OwnerValue = "taskflow";
    public const string WorkspaceLabel = "taskflow.workspace";
    public const string InstanceLabel = "taskflow.instance";
    public const string NodeLabel = "taskflow.node";
    public const string ExpiresLabel = "taskflow.expires";

    /// <summary>Which TaskFlow installation made the container (see <see cref="ContainerWorkspaceOptions.Scope"/>).</summary>
    public const string ScopeLabel = "taskflow.scope";

    /// <summary>Which provider made the container, so that each mode reclaims only its own (a VM-mode workspace is a container too).</summary>
    public const string IsolationLabel = "taskflow.isolation";

    /// <summary>Where commands may write besides the workspace: a small tmpfs that holds no programs.</summary>
    public const string TmpfsOptions = "rw,noexec,nosuid,size=64m";

    /// <summary>The engine refuses a memory limit below 6 MiB.</summary>
    public const long MinimumMemoryBytes = 6L * 1024 * 1024;

    public static string ContainerName(string workspaceId) => NamePrefix + workspaceId;

    public static string IsolationValue(IsolationMode mode) => mode.ToString().ToLowerInvariant();

    /// <summary>Why the engine could not enforce these limits; empty when it can.</summary>
    public static List<string> LimitProblems(WorkspaceLimits limits)
    {
        var problems = new List<string>();
        if (limits.MemoryBytes < MinimumMemoryBytes)
        {
            problems.Add($"MemoryBytes is {limits.MemoryBytes}; a container needs at least {MinimumMemoryBytes} (6 MiB)");
        }

        if (!(limits.Cpus >= 0.01))
        {
            problems.Add($"Cpus is {limits.Cpus.ToString(CultureInfo.InvariantCulture)}; give at least 0.01");
        }

        if (limits.Pids < 1)
        {
            problems.Add($"Pids is {limits.Pids}; give at least 1");
        }

        if (limits.DiskBytes < 1)
        {
            problems.Add($"DiskBytes is {limits.DiskBytes}; give at least 1");
        }

        return problems;
    }

    /// <param name="hostCpus">The engine's CPUs: a workspace asking for more gets them all, as the engine refuses a limit above what it has.</param>
    public static CreateContainerParameters Build(WorkspaceInfo workspace, ContainerWorkspaceOptions options, IsolationMode mode, int hostCpus)
    {
        var limits = workspace.Limits;
        var cpus = hostCpus > 0 ? Math.Min(limits.Cpus, hostCpus) : limits.Cpus;
        return new CreateContainerParameters
        {
            Name = ContainerName(workspace.Id),
            Image = workspace.Image ?? options.Image,
            User = options.User,

            // Commands arrive through the exec agent on the attached standard input (kept open
            // when nobody is attached), or as execs; either way the container only has to stay
            // up. PID 1 is the engine's init (below), which reaps the orphans that killed
            // commands leave, so they do not pile up as zombies against the pids limit.
            Entrypoint = options.ExecAgent ? ["sh", "-c", ExecAgentProtocol.Launch, ExecAgentProtocol.Script] : ["sleep", "infinity"],
            OpenStdin = options.ExecAgent,
            StdinOnce = false,
            WorkingDir = WorkspacePaths.Inside,

            // The user has no writable home on a read-only root; tools that keep state there get the tmpfs.
            Env = ["HOME=/tmp"],
            Labels = new Dictionary<string, string>
            {
                [OwnerLabel] = OwnerValue,
                [WorkspaceLabel] = workspace.Id,
                [InstanceLabel] = workspace.Owner.InstanceId ?? "",
                [NodeLabel] = workspace.Owner.NodeId ?? "",
                [ExpiresLabel] = workspace.ExpiresAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                [IsolationLabel] = IsolationValue(mode),
                [ScopeLabel] = options.Scope ?? "",
            },
            HostConfig = new HostConfig
            {
                Init = true,

                // The agent's answers (every command's output) go over the container's stdout:
                // the engine must not keep them in a log file that grows for the container's life.
                LogConfig = options.ExecAgent ? new LogConfig { Type = "none" } : null,
                Runtime = options.Runtime,
                NetworkMode = options.AllowNetwork && limits.Network ? "bridge" : "none",

                // Swap equal to memory means no swap at all: the limit is the memory a command gets.
                Memory = limits.MemoryBytes,
                MemorySwap = limits.MemoryBytes,
                NanoCPUs = (long)Math.Round(cpus * 1_000_000_000),
                PidsLimit = limits.Pids,

                // RLIMIT_FSIZE (bytes): no single file grows past the workspace's quota; a write
                // beyond it gets SIGXFSZ. The manager still measures the folder as a whole.
                Ulimits = [new Ulimit { Name = "fsize", Soft = limits.DiskBytes, Hard = limits.DiskBytes }],
                ReadonlyRootfs = true,
                CapDrop = ["ALL"],
                SecurityOpt = ["no-new-privileges"],
                Tmpfs = new Dictionary<string, string> { ["/tmp"] = TmpfsOptions },

                // A mount, not a bind string: the engine then refuses a missing folder rather than
                // creating it as root, and a ':' in the path cannot change the mount's meaning.
                Mounts =
                [
                    new Mount { Type = "bind", Source = workspace.Folder, Target = WorkspacePaths.Inside, ReadOnly = false },
                    .. (workspace.ReadOnlyMounts ?? []).Select(path => new Mount { Type = "bind", Source = path, Target = path, ReadOnly = true }),
                ],
            },
        };
    }
}
