namespace TaskFlow.Workspaces;

/// <summary>How a workspace is isolated from the machine (the report's isolation modes).</summary>
public enum IsolationMode
{
    /// <summary>A container through the Docker Engine API.</summary>
    Container,

    /// <summary>A process in a bubblewrap sandbox (namespaces), limited by cgroups.</summary>
    Process,

    /// <summary>A virtual machine: a container under a VM-backed Docker runtime (gVisor, Kata) when one is configured.</summary>
    Vm,

    /// <summary>
    /// Chosen when the workspace is created: <see cref="Container"/> when a container engine answers,
    /// else <see cref="Process"/> when the sandbox can run. A workspace record never holds it.
    /// </summary>
    Auto,
}

/// <summary>When a workspace's resources are reclaimed after it is released (the report's cleanup modes).</summary>
public enum CleanupMode
{
    /// <summary>At once, when the workspace is destroyed.</summary>
    Immediate,

    /// <summary>By the next lazy cleanup pass (a recurring job), so a retry can still look at it.</summary>
    Lazy,

    /// <summary>When it expires (its timeout), by the scheduled cleanup job.</summary>
    Scheduled,
}

/// <summary>What a workspace may use; the defaults are the reference report's (2 cores, 4 GB, 10 GB). Every limit is enforced; none is advisory.</summary>
public sealed record WorkspaceLimits
{
    /// <summary>Memory, in bytes (processes beyond it are killed and the result says out of memory).</summary>
    public long MemoryBytes { get; init; } = 4L * 1024 * 1024 * 1024;

    /// <summary>CPU, in cores (may be a fraction).</summary>
    public double Cpus { get; init; } = 2.0;

    /// <summary>Processes and threads at once (a fork bomb stops here).</summary>
    public int Pids { get; init; } = 256;

    /// <summary>Disk: the workspace folder's size, in bytes.</summary>
    public long DiskBytes { get; init; } = 10L * 1024 * 1024 * 1024;

    /// <summary>Whether the workspace may reach a network at all (off unless a policy opts in).</summary>
    public bool Network { get; init; }
}

/// <summary>Who a workspace belongs to: the instance and node it was made for, if any.</summary>
public sealed record WorkspaceOwner(string? InstanceId = null, string? NodeId = null);

/// <summary>One workspace as a provider sees it. The folder exists before the provider is asked to create anything.</summary>
/// <param name="Id">A short id, safe in container names, labels and cgroup paths ([a-z0-9-]).</param>
/// <param name="Folder">The host folder that is the workspace's only writable place; it appears inside at <see cref="WorkspacePaths.Inside"/>.</param>
/// <param name="Image">The container image (container and VM modes); null takes the provider's default.</param>
/// <param name="ReadOnlyMounts">Host paths a container sees read-only at the same place (a program's own files).</param>
public sealed record WorkspaceInfo(
    string Id,
    IsolationMode Isolation,
    string Folder,
    WorkspaceLimits Limits,
    WorkspaceOwner Owner,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    string? Image = null,
    IReadOnlyList<string>? ReadOnlyMounts = null);

/// <summary>Paths every provider agrees on.</summary>
public static class WorkspacePaths
{
    /// <summary>Where the workspace folder appears inside the sandbox, and the working directory of every command.</summary>
    public const string Inside = "/workspace";
}

/// <summary>A command to run in a workspace.</summary>
/// <param name="Command">The program and its arguments (no shell unless the command is one, e.g. ["sh", "-c", "..."]).</param>
/// <param name="Environment">Variables added to the sandbox's minimal environment.</param>
/// <param name="Stdin">Text written to the command's standard input, which is then closed; null gives it an empty input.</param>
/// <param name="Timeout">How long the command may run before it is killed.</param>
/// <param name="MaxOutputBytes">Bytes kept of stdout and of stderr each; the rest is counted and dropped.</param>
public sealed record ExecRequest(
    IReadOnlyList<string> Command,
    IReadOnlyDictionary<string, string>? Environment = null,
    string? Stdin = null,
    TimeSpan? Timeout = null,
    int MaxOutputBytes = ExecRequest.DefaultMaxOutputBytes)
{
    public const int DefaultMaxOutputBytes = 1024 * 1024;

    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(5);
}

/// <summary>Why a command did not finish by itself with its own exit code.</summary>
public enum ExecTermination
{
    /// <summary>It exited by itself (any code).</summary>
    Exited,

    /// <summary>Killed at its timeout.</summary>
    TimedOut,

    /// <summary>Killed by the kernel for going over the memory limit.</summary>
    OutOfMemory,

    /// <summary>Stopped for filling the workspace beyond its disk quota.</summary>
    DiskQuotaExceeded,

    /// <summary>Killed by a signal for another reason (the exit code is 128 + the signal).</summary>
    Killed,

    /// <summary>Stopped because the caller cancelled.</summary>
    Cancelled,
}

/// <summary>What a command did.</summary>
/// <param name="ExitCode">The exit code; 128 + N when killed by signal N; -1 when it never started.</param>
/// <param name="StdoutBytes">Bytes the command wrote to stdout in all (more than kept when truncated).</param>
public sealed record ExecResult(
    int ExitCode,
    string Stdout,
    string Stderr,
    long StdoutBytes,
    long StderrBytes,
    ExecTermination Termination,
    TimeSpan Duration)
{
    public bool StdoutTruncated => StdoutBytes > System.Text.Encoding.UTF8.GetByteCount(Stdout);

    public bool StderrTruncated => StderrBytes > System.Text.Encoding.UTF8.GetByteCount(Stderr);

    /// <summary>Succeeded: exited by itself with code 0.</summary>
    public bool Succeeded => Termination == ExecTermination.Exited && ExitCode == 0;

    /// <summary>A sentence saying why the command failed, or null when it succeeded.</summary>
    public string? FailureReason => Termination switch
    {
        ExecTermination.Exited when ExitCode == 0 => null,
        ExecTermination.Exited => $"exited with code {ExitCode}",
        ExecTermination.TimedOut => $"killed at its timeout after {Duration.TotalSeconds:0.#} s",
        ExecTermination.OutOfMemory => "killed for running out of memory (the workspace's memory limit)",
        ExecTermination.DiskQuotaExceeded => "stopped for exceeding the workspace's disk quota",
        ExecTermination.Cancelled => "cancelled",
        _ => $"killed by signal {ExitCode - 128}",
    };
}

/// <summary>A workspace provider could not do what was asked; the message says why in words a user can act on.</summary>
public class WorkspaceException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>An isolation mode that cannot run on this machine (engine unreachable, bubblewrap missing, no VM runtime).</summary>
public sealed class WorkspaceUnavailableException(IsolationMode mode, string reason, Exception? inner = null)
    : WorkspaceException($"Isolation mode '{mode.ToString().ToLowerInvariant()}' is not available on this host: {reason}", inner)
{
    public IsolationMode Mode { get; } = mode;

    public string Reason { get; } = reason;
}
