using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace TaskFlow.Workspaces.Process;

/// <summary>
/// The <c>process</c> isolation mode: every command runs in a fresh bubblewrap sandbox (its own
/// user, pid, mount, ipc, uts, cgroup and network namespaces) that sees the workspace folder
/// read-write at <see cref="WorkspacePaths.Inside"/>, a private <c>/tmp</c>, and a few system
/// folders read-only; and in the workspace's cgroups (cgroup v1 or v2, whichever the host has),
/// whose <c>memory</c>, <c>pids</c> and <c>cpu</c> controllers hold its limits.
/// </summary>
/// <remarks>
/// <para>
/// The cgroups are the workspace; there is no process between commands. A workspace's cgroups live
/// at <c>{CgroupRoot}/{memory,pids,cpu}/{CgroupParent}/{id}</c> (cgroup v1) or
/// <c>{CgroupRoot}/{CgroupParent}/{id}</c> (cgroup v2) and each command gets a child
/// cgroup of its own (<c>.../{id}/exec-*</c>): the limits bind the workspace as a whole, while a
/// command's OOM kills are counted, and its leftovers killed, without touching another command
/// running in the same workspace. Nothing is kept in memory, so a restarted service finds a
/// crash's leftovers with <see cref="ListOwnedAsync"/>.
/// </para>
/// <para>
/// The disk quota is enforced per file by <c>RLIMIT_FSIZE</c> (no single file can outgrow it; the
/// kernel stops the writer with SIGXFSZ). The folder's total size is the workspace manager's to
/// watch. A program that ignores SIGXFSZ (Python does) gets <c>EFBIG</c> instead and exits as it
/// sees fit, which is reported as its own exit.
/// </para>
/// </remarks>
public sealed partial class ProcessWorkspaceProvider : IWorkspaceProvider, IDisposable
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(30);

    private readonly ProcessWorkspaceOptions _options;
    private readonly ILogger<ProcessWorkspaceProvider> _logger;
    private readonly TimeProvider _time;
    private readonly Lazy<string?> _account;
    private readonly Lazy<(CgroupHierarchy? Hierarchy, string? Problem)> _cgroups;

    public ProcessWorkspaceProvider(IOptions<ProcessWorkspaceOptions> options, ILogger<ProcessWorkspaceProvider> logger, TimeProvider time)
    {
        _options = options.Value;
        var problems = _options.Problems().ToList();
        if (problems.Count > 0)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(ProcessWorkspaceOptions), problems);
        }

        _logger = logger;
        _time = time;
        _account = new(() => Environment.IsPrivilegedProcess ? SandboxAccount.FindConfirmed(_options.User, _options.Group) : null);
        _cgroups = new(DetectCgroups);
    }

    public IsolationMode Mode => IsolationMode.Process;

    public async Task<string?> CheckAvailableAsync(CancellationToken cancellationToken)
    {
        if (FindTools(out var missing) is not { } tools)
        {
            return missing;
        }

        if (_options.RequireLimits && CgroupProblem() is { } cgroups)
        {
            return cgroups;
        }

        // Running a sandbox is the only reliable test: user namespaces may be disabled, or bubblewrap too old.
        var probe = new SandboxSpec(null, "taskflow-probe", 1024 * 1024, Network: false, CgroupProcs: [], Command: ["true"], Environment: null);
        var outcome = await SandboxRun.RunAsync(
            SandboxCommand.Build(tools, _options, probe), tools.UserName, stdin: null, maxOutputBytes: 4096, ProbeTimeout, cgroup: null, _time, cancellationToken).ConfigureAwait(false);
        if (outcome.Stopped is null && outcome.ExitCode == 0)
        {
            return null;
        }

        var error = outcome.Stderr.Text().Trim();
        return $"bubblewrap cannot create a sandbox here ({(error.Length > 0 ? error : $"exit code {outcome.ExitCode}")}); "
            + "it needs unprivileged user namespaces (sysctl user.max_user_namespaces > 0) and bubblewrap 0.8 or later";
    }

    public Task CreateAsync(WorkspaceInfo workspace, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        CheckId(workspace.Id);
        CheckLimits(workspace.Limits);
        var tools = FindTools(out var missing) ?? throw new WorkspaceUnavailableException(IsolationMode.Process, missing!);
        if (!Directory.Exists(workspace.Folder))
        {
            throw new WorkspaceException($"The folder of workspace '{workspace.Id}' ({workspace.Folder}) does not exist; the workspace manager creates it before the sandbox");
        }

        if (tools.SwitchesUser)
        {
            // Commands run as the workspace user, so the folder must be theirs, and reachable.
            CheckReachable(workspace.Folder);
            Posix.Chown(workspace.Folder, _options.User, _options.Group);
        }

        var cgroups = WorkspaceCgroups(workspace.Id);
        var problem = CgroupProblem();
        if (problem is null)
        {
            try
            {
                cgroups.Create(workspace.Limits, SandboxCommand.BubblewrapPids);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                problem = $"the cgroups of workspace '{workspace.Id}' could not be set up ({ex.Message})";
            }
        }

        if (problem is not null)
        {
            if (_options.RequireLimits)
            {
                throw new WorkspaceUnavailableException(
                    IsolationMode.Process,
                    $"{problem}; workspaces cannot be limited (set {ProcessWorkspaceOptions.SectionName}:RequireLimits to false to run them without memory, CPU and process limits)");
            }

            RunningWithoutLimits(_logger, workspace.Id, problem);
            return Task.CompletedTask;
        }

        Created(_logger, workspace.Id, workspace.Limits.MemoryBytes, workspace.Limits.Cpus, workspace.Limits.Pids);
        return Task.CompletedTask;
    }

    public async Task<ExecResult> ExecAsync(WorkspaceInfo workspace, ExecRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        ArgumentNullException.ThrowIfNull(request);
        CheckId(workspace.Id);
        CheckRequest(request);
        var tools = FindTools(out var missing) ?? throw new WorkspaceUnavailableException(IsolationMode.Process, missing!);
        if (!Directory.Exists(workspace.Folder))
        {
            throw new WorkspaceException($"The folder of workspace '{workspace.Id}' ({workspace.Folder}) does not exist; was the workspace destroyed?");
        }

        var workspaceCgroups = WorkspaceCgroups(workspace.Id);
        CgroupSet? cgroup = null;
        if (workspaceCgroups.Exists)
        {
            cgroup = workspaceCgroups.Child($"exec-{Guid.NewGuid():N}"[..17]);
            try
            {
                cgroup.CreateFolders();
                if (tools.UserName is not null)
                {
                    // The shell joins them already as the workspace user.
                    cgroup.GiveProcsFiles(_options.User, _options.Group);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new WorkspaceException($"Could not create the cgroup for a command in workspace '{workspace.Id}': {ex.Message}", ex);
            }
        }
        else if (_options.RequireLimits)
        {
            throw new WorkspaceException($"Workspace '{workspace.Id}' has no cgroups, so its command cannot be limited: it was never created or has been destroyed");
        }

        try
        {
            var spec = new SandboxSpec(
                workspace.Folder,
                workspace.Id.Length <= 63 ? workspace.Id : workspace.Id[..63],
                workspace.Limits.DiskBytes,
                Network: workspace.Limits.Network && _options.AllowNetwork,
                CgroupProcs: cgroup is null ? [] : [.. cgroup.ProcsFiles],
                request.Command,
                request.Environment);
            var failuresBefore = workspaceCgroups.MemoryFailures();
            var outcome = await SandboxRun.RunAsync(
                SandboxCommand.Build(tools, _options, spec),
                tools.UserName,
                request.Stdin,
                request.MaxOutputBytes,
                request.Timeout ?? ExecRequest.DefaultTimeout,
                cgroup,
                _time,
                cancellationToken).ConfigureAwait(false);

            var termination = outcome.Stopped ?? Classify(outcome.ExitCode, cgroup, workspaceCgroups, failuresBefore);
            var result = new ExecResult(
                outcome.ExitCode,
                outcome.Stdout.Text(),
                outcome.Stderr.Text(),
                outcome.Stdout.TotalBytes,
                outcome.Stderr.TotalBytes,
                termination,
                outcome.Duration);
            Finished(_logger, workspace.Id, request.Command[0], termination, outcome.ExitCode, outcome.Duration.TotalMilliseconds);
            return result;
        }
        finally
        {
            if (cgroup is not null)
            {
                // Even when the caller gave up: the command's cgroup must not outlive it. If it
                // cannot be removed the result still stands; DestroyAsync tries again.
                try
                {
                    await cgroup.RemoveAsync(_time, CancellationToken.None).ConfigureAwait(false);
                }
                catch (WorkspaceException ex)
                {
                    CgroupNotRemoved(_logger, workspace.Id, ex.Message);
                }
            }
        }
    }

    /// <summary>
    /// The command line that starts a long-running program (a confined MCP server) in the
    /// workspace's sandbox and cgroups, for the caller to start and own: the same sandbox as a
    /// command's, with <paramref name="readOnlyPaths"/> visible too. Destroying the workspace kills
    /// whatever of it is left.
    /// </summary>
    /// <remarks>
    /// The caller starts it as its own user; when that is root, the launch shell joins the cgroup
    /// as root and <c>setpriv</c> drops to the sandbox user before bubblewrap, as on cgroup v2.
    /// </remarks>
    internal IReadOnlyList<string> LaunchCommand(WorkspaceInfo workspace, IReadOnlyList<string> command, IReadOnlyDictionary<string, string>? environment, IReadOnlyList<string> readOnlyPaths)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        CheckId(workspace.Id);
        CheckRequest(new ExecRequest(command, environment));
        var tools = FindTools(out var missing) ?? throw new WorkspaceUnavailableException(IsolationMode.Process, missing!);
        if (tools.UserName is not null)
        {
            tools = tools with
            {
                UserName = null,
                Setpriv = HostExecutables.Find("setpriv") ?? throw new WorkspaceUnavailableException(IsolationMode.Process, "util-linux's setpriv is needed to start a long-running program as the sandbox user; install the 'util-linux' package"),
            };
        }

        var workspaceCgroups = WorkspaceCgroups(workspace.Id);
        IReadOnlyList<string> procs = [];
        if (workspaceCgroups.Exists)
        {
            var cgroup = workspaceCgroups.Child($"server-{Guid.NewGuid():N}"[..19]);
            try
            {
                cgroup.CreateFolders();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new WorkspaceException($"Could not create the cgroup for a program in workspace '{workspace.Id}': {ex.Message}", ex);
            }

            procs = [.. cgroup.ProcsFiles];
        }
        else if (_options.RequireLimits)
        {
            throw new WorkspaceException($"Workspace '{workspace.Id}' has no cgroups, so its program cannot be limited: it was never created or has been destroyed");
        }

        var spec = new SandboxSpec(
            workspace.Folder,
            workspace.Id.Length <= 63 ? workspace.Id : workspace.Id[..63],
            workspace.Limits.DiskBytes,
            Network: workspace.Limits.Network && _options.AllowNetwork,
            procs,
            command,
            environment,
            readOnlyPaths);
        return SandboxCommand.Build(tools, _options, spec);
    }

    public async Task DestroyAsync(string workspaceId, CancellationToken cancellationToken)
    {
        CheckId(workspaceId);
        var cgroups = WorkspaceCgroups(workspaceId);
        var killed = cgroups.Processes().Count;
        await cgroups.RemoveAsync(_time, cancellationToken).ConfigureAwait(false);
        Destroyed(_logger, workspaceId, killed);
    }

    public Task<IReadOnlyList<string>> ListOwnedAsync(CancellationToken cancellationToken)
    {
        var ids = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var parent in Hierarchy.FoldersOf(_options.CgroupParent))
        {
            if (!Directory.Exists(parent))
            {
                continue;
            }

            foreach (var folder in Directory.EnumerateDirectories(parent))
            {
                var name = Path.GetFileName(folder);
                if (WorkspaceId().IsMatch(name))
                {
                    ids.Add(name);
                }
            }
        }

        return Task.FromResult<IReadOnlyList<string>>([.. ids]);
    }

    /// <summary>
    /// Removes this installation's parent cgroups (<c>{CgroupParent}</c> in each hierarchy)
    /// when no workspace is left in them, so stopped processes leave no empty folders in the
    /// cgroup hierarchies. Workspaces still there keep their parent (they outlive the process on
    /// purpose), and so does another process's use of it.
    /// </summary>
    public void Dispose()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        Hierarchy.RemoveIfEmpty(_options.CgroupParent);
    }

    /// <summary>The cgroup hierarchy this host offers the sandbox (v1 or v2), or null with the reason; found once.</summary>
    public (CgroupVersion? Version, string? Problem) Cgroups => (_cgroups.Value.Hierarchy?.Version, _cgroups.Value.Problem);

    internal CgroupSet WorkspaceCgroups(string workspaceId) =>
        new(Hierarchy, Path.Combine(_options.CgroupParent, workspaceId));

    // Without a hierarchy the v1 layout is used: its folders do not exist, so nothing is found or removed.
    private CgroupHierarchy Hierarchy => _cgroups.Value.Hierarchy ?? new(_options.CgroupRoot, CgroupVersion.V1);

    private string? CgroupProblem() => _cgroups.Value.Problem ?? _cgroups.Value.Hierarchy!.Problem(_options.CgroupParent);

    private (CgroupHierarchy?, string?) DetectCgroups()
    {
        if (!OperatingSystem.IsLinux())
        {
            return (null, "cgroups need Linux");
        }

        var hierarchy = CgroupHierarchy.Detect(_options.CgroupRoot, out var problem);
        if (hierarchy is not null)
        {
            problem = hierarchy.Problem(_options.CgroupParent);
        }

        if (problem is null)
        {
            LimitsEnforced(_logger, hierarchy!.ToString());
        }
        else
        {
            LimitsNotEnforceable(_logger, problem);
        }

        return (hierarchy, problem);
    }

    private static ExecTermination Classify(int exitCode, CgroupSet? cgroup, CgroupSet workspaceCgroups, long? failuresBefore)
    {
        if (exitCode != 0 && cgroup is not null)
        {
            // The OOM killer's count is per cgroup and the command's cgroup is new, so any kill is
            // this command's. Kernels before 4.13 do not count: a SIGKILL while the workspace's
            // memory hit its limit is the next best evidence.
            var outOfMemory = cgroup.OomKills() is { } kills
                ? kills > 0
                : exitCode == 128 + Posix.SIGKILL && workspaceCgroups.MemoryFailures() > failuresBefore;
            if (outOfMemory)
            {
                return ExecTermination.OutOfMemory;
            }
        }

        return exitCode switch
        {
            128 + Posix.SIGXFSZ => ExecTermination.DiskQuotaExceeded,

            // bubblewrap reports a command killed by signal N as 128 + N, as shells do.
            > 128 and <= 128 + 64 => ExecTermination.Killed,
            _ => ExecTermination.Exited,
        };
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Workspace {WorkspaceId}: cgroups created (memory {MemoryBytes} bytes, {Cpus} CPUs, {Pids} processes)")]
    private static partial void Created(ILogger logger, string workspaceId, long memoryBytes, double cpus, int pids);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Workspace {WorkspaceId} runs WITHOUT memory, CPU and process limits: {Problem}")]
    private static partial void RunningWithoutLimits(ILogger logger, string workspaceId, string problem);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Workspace {WorkspaceId}: {Program} ended {Termination} with exit code {ExitCode} after {DurationMs:0} ms")]
    private static partial void Finished(ILogger logger, string workspaceId, string program, ExecTermination termination, int exitCode, double durationMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Workspace {WorkspaceId}: a command's cgroup was left behind: {Problem}")]
    private static partial void CgroupNotRemoved(ILogger logger, string workspaceId, string problem);

    [LoggerMessage(Level = LogLevel.Information, Message = "Process sandbox limits: {Hierarchy}")]
    private static partial void LimitsEnforced(ILogger logger, string hierarchy);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Process sandbox limits cannot be enforced: {Problem}")]
    private static partial void LimitsNotEnforceable(ILogger logger, string problem);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Workspace {WorkspaceId}: cgroups removed ({Killed} processes killed)")]
    private static partial void Destroyed(ILogger logger, string workspaceId, int killed);
}
