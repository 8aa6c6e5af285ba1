using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging;

namespace TaskFlow.Workspaces.Container;

public sealed partial class ContainerWorkspaceProvider
{
    /// <summary>How long the output may take to end once the command's processes are killed; a stream the engine keeps open longer is abandoned.</summary>
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(10);

    /// <summary>How long after a command ends the engine's <c>oom</c> event is still waited for (the kill and the event travel separately).</summary>
    private static readonly TimeSpan OomEventGrace = TimeSpan.FromSeconds(1);

    /// <summary>How far the engine's clock may be behind this one when looking for events since a command started.</summary>
    private static readonly TimeSpan EngineClockSkew = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan MaxTimeout = TimeSpan.FromMilliseconds(int.MaxValue);

    private const int SigKillExit = 128 + 9;
    private const int SigXfszExit = 128 + 25;

    /// <summary>Whether a command is killed through the host's <c>/proc</c> when it can be; off, only the fallback (a container restart) is used. A seam for testing the fallback.</summary>
    internal bool KillThroughHostProcesses { get; set; } = true;

    // Container name -> full container id (what /proc's cgroup paths show); stable for a container's life.
    private readonly ConcurrentDictionary<string, string> _containerIds = new(StringComparer.Ordinal);

    /// <summary>
    /// Runs the command through the container's exec agent, or else as an exec in the container.
    /// When it ends, whatever it left running in the background is killed too, so nothing a
    /// command starts outlives it.
    /// </summary>
    /// <remarks>
    /// An exit by SIGKILL (137) is out of memory when the engine reported an <c>oom</c> event
    /// for the container while the command ran (a concurrent command in the same workspace that
    /// ran out of memory then counts too). SIGXFSZ (153) means a file reached the workspace's
    /// disk quota, the container's file-size limit.
    /// </remarks>
    public async Task<ExecResult> ExecAsync(WorkspaceInfo workspace, ExecRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        ArgumentNullException.ThrowIfNull(request);
        if (request.Command.Count == 0)
        {
            throw new ArgumentException("The command is empty.", nameof(request));
        }

        var timeout = request.Timeout ?? ExecRequest.DefaultTimeout;
        if (timeout < TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(request), timeout, "The timeout must be positive, or infinite.");
        }

        var started = _time.GetTimestamp();
        if (cancellationToken.IsCancellationRequested)
        {
            return new ExecResult(-1, "", "", 0, 0, ExecTermination.Cancelled, TimeSpan.Zero);
        }

        var startedAt = _time.GetUtcNow();
        var name = ContainerWorkspaceSpec.ContainerName(workspace.Id);
        if (await AgentAsync(name) is { } agent
            && await ExecThroughAgentAsync(agent, workspace, name, request, timeout, started, startedAt, cancellationToken) is { } throughAgent)
        {
            return throughAgent;
        }

        // Creating and starting the exec are quick and not cancelled: once a command may have
        // started, its exec id must be known, or it could not be killed.
        var execId = await CreateExecAsync(workspace.Id, name, request);
        var stream = await StartExecAsync(workspace.Id, execId, request.Stdin is not null);

        var stdout = new ExecOutputBuffer(request.MaxOutputBytes);
        var stderr = new ExecOutputBuffer(request.MaxOutputBytes);
        ExecTermination? stoppedAs = null;
        Task reading;
        Task writing;
        using (var abandon = new CancellationTokenSource())
        {
            try
            {
                reading = ReadOutputAsync(stream, stdout, stderr, abandon.Token);
                writing = request.Stdin is null ? Task.CompletedTask : WriteInputAsync(stream, request.Stdin, abandon.Token);
                using var deadline = timeout == Timeout.InfiniteTimeSpan ? new CancellationTokenSource() : new CancellationTokenSource(timeout < MaxTimeout ? timeout : MaxTimeout, _time);
                using var stop = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, cancellationToken);
                try
                {
                    await reading.WaitAsync(stop.Token);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested && !reading.IsCompleted)
                {
                    stoppedAs = cancellationToken.IsCancellationRequested ? ExecTermination.Cancelled : ExecTermination.TimedOut;
                    await KillAsync(workspace.Id, name, execId, stoppedAs.Value);
                    await reading.WaitQuietlyAsync(DrainTimeout, _time);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    await KillAsync(workspace.Id, name, execId, ExecTermination.Killed);
                    throw new WorkspaceException($"Workspace '{workspace.Id}' lost the output of its command ({ex.Message}); the command was killed.", ex);
                }
            }
            finally
            {
                // Disposing the stream ends a read or write still blocked on it.
                await abandon.CancelAsync();
                stream.Dispose();
            }
        }

        await reading.WaitQuietlyAsync(DrainTimeout, _time);
        await writing.WaitQuietlyAsync(DrainTimeout, _time);
        var duration = _time.GetElapsedTime(started);

        var exec = await InspectExitedExecAsync(workspace.Id, execId);
        if (stoppedAs is null)
        {
            await KillLeftoversAsync(workspace.Id, name, exec.Pid);
        }

        var exitCode = stoppedAs is not null && (exec.Running || exec.ExitCode == 0) ? SigKillExit : (int)exec.ExitCode;
        var termination = stoppedAs ?? await ClassifyAsync(name, exitCode, startedAt);
        return new ExecResult(exitCode, stdout.Decode(), stderr.Decode(), stdout.TotalBytes, stderr.TotalBytes, termination, duration);
    }

    private async Task<string> CreateExecAsync(string workspaceId, string name, ExecRequest request)
    {
        var parameters = new ContainerExecCreateParameters
        {
            Cmd = [.. request.Command],
            Env = request.Environment?.Select(p => $"{p.Key}={p.Value}").ToList(),
            User = _options.User,
            WorkingDir = WorkspacePaths.Inside,
            AttachStdin = request.Stdin is not null,
            AttachStdout = true,
            AttachStderr = true,
            Tty = false,
        };

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return (await _docker.Exec.ExecCreateContainerAsync(name, parameters, CancellationToken.None)).ID;
            }
            catch (DockerContainerNotFoundException ex)
            {
                throw new WorkspaceException($"Workspace '{workspaceId}' has no container ({name}): it was destroyed, or never created.", ex);
            }
            catch (DockerApiException ex) when (attempt == 1 && ex.StatusCode == HttpStatusCode.Conflict && ex.ResponseBody?.Contains("not running", StringComparison.OrdinalIgnoreCase) == true)
            {
                // The container stopped (the host restarted, or its init was killed). Everything a
                // workspace keeps is in its folder, so starting it again loses nothing.
                ContainerStartedAgain(_logger, workspaceId);
                await StartStoppedAsync(workspaceId, name);
            }
            catch (Exception ex) when (IsUnreachable(ex, CancellationToken.None))
            {
                throw new WorkspaceUnavailableException(Mode, Unreachable(ex), ex);
            }
            catch (DockerApiException ex)
            {
                throw new WorkspaceException($"Workspace '{workspaceId}' could not run the command: {ex.ResponseBody?.Trim()}", ex);
            }
        }
    }

    private async Task StartStoppedAsync(string workspaceId, string name)
    {
        await DropAgentAsync(name);
        try
        {
            await _docker.Containers.StartContainerAsync(name, new ContainerStartParameters(), CancellationToken.None);
        }
        catch (DockerApiException ex)
        {
            throw new WorkspaceException($"Workspace '{workspaceId}': its container had stopped and could not be started again: {ex.ResponseBody?.Trim()}", ex);
        }
    }

    private async Task<MultiplexedStream> StartExecAsync(string workspaceId, string execId, bool stdin)
    {
        try
        {
            return await _docker.Exec.StartWithConfigContainerExecAsync(
                execId,
                new ContainerExecStartParameters { AttachStdin = stdin, AttachStdout = true, AttachStderr = true, Tty = false },
                CancellationToken.None);
        }
        catch (Exception ex) when (IsUnreachable(ex, CancellationToken.None))
        {
            throw new WorkspaceUnavailableException(Mode, Unreachable(ex), ex);
        }
        catch (DockerApiException ex)
        {
            throw new WorkspaceException($"Workspace '{workspaceId}' could not start the command: {ex.ResponseBody?.Trim()}", ex);
        }
    }

    private static async Task ReadOutputAsync(MultiplexedStream stream, ExecOutputBuffer stdout, ExecOutputBuffer stderr, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            while (true)
            {
                var read = await stream.ReadOutputAsync(buffer, 0, buffer.Length, cancellationToken);
                if (read.EOF)
                {
                    return;
                }

                (read.Target == MultiplexedStream.TargetStream.StandardError ? stderr : stdout).Append(buffer.AsSpan(0, read.Count));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task WriteInputAsync(MultiplexedStream stream, string input, CancellationToken cancellationToken)
    {
        var bytes = Encoding.UTF8.GetBytes(input);
        await stream.WriteAsync(bytes, 0, bytes.Length, cancellationToken);

        // The command sees the end of its input, so `cat` and friends finish.
        stream.CloseWrite();
    }

    /// <summary>The exec's final state: its main process may outlive the end of the output stream by a moment.</summary>
    private async Task<ContainerExecInspectResponse> InspectExitedExecAsync(string workspaceId, string execId)
    {
        for (var attempt = 0; ; attempt++)
        {
            ContainerExecInspectResponse exec;
            try
            {
                exec = await _docker.Exec.InspectContainerExecAsync(execId, CancellationToken.None);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                throw new WorkspaceException($"Workspace '{workspaceId}' ran the command but could not read its exit code: {Innermost(ex).Message}", ex);
            }

            if (!exec.Running || attempt >= 50)
            {
                return exec;
            }

            // Usually a few milliseconds: poll fast at first, then back off.
            await Task.Delay(TimeSpan.FromMilliseconds(attempt < 10 ? 5 : 50), _time);
        }
    }

    private async Task<ExecTermination> ClassifyAsync(string name, int exitCode, DateTimeOffset startedAt) => exitCode switch
    {
        SigKillExit => await OomEventSinceAsync(name, startedAt) ? ExecTermination.OutOfMemory : ExecTermination.Killed,
        SigXfszExit => ExecTermination.DiskQuotaExceeded,
        > 128 and <= 128 + 64 => ExecTermination.Killed,
        _ => ExecTermination.Exited,
    };

    /// <summary>
    /// Whether the engine reported the container's memory cgroup killing something since
    /// <paramref name="since"/>. The event is the kernel's own OOM notification for the cgroup,
    /// so it tells an out-of-memory kill from any other SIGKILL, and it works over the API
    /// wherever the engine runs.
    /// </summary>
    private async Task<bool> OomEventSinceAsync(string name, DateTimeOffset since)
    {
        var parameters = new ContainerEventsParameters
        {
            Since = UnixTime(since - EngineClockSkew),
            Until = UnixTime(_time.GetUtcNow() + OomEventGrace),
            Filters = new Dictionary<string, IDictionary<string, bool>>
            {
                ["type"] = new Dictionary<string, bool> { ["container"] = true },
                ["container"] = new Dictionary<string, bool> { [name] = true },
                ["event"] = new Dictionary<string, bool> { ["oom"] = true },
            },
        };

        // The engine ends the stream at Until; the first event ends it sooner.
        using var done = new CancellationTokenSource(OomEventGrace + CheckTimeout, _time);
        var probe = new FirstEvent(done);
        try
        {
            await _docker.System.MonitorEventsAsync(parameters, probe, done.Token);
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception ex)
        {
            OomCheckFailed(_logger, ex, name);
        }

        return probe.Seen;
    }

    /// <summary>Kills the command's processes at its timeout or cancellation.</summary>
    private async Task KillAsync(string workspaceId, string name, string execId, ExecTermination reason)
    {
        try
        {
            var exec = await _docker.Exec.InspectContainerExecAsync(execId, CancellationToken.None);
            var container = await _docker.Containers.InspectContainerAsync(name, CancellationToken.None);
            if (KillThroughHostProcesses && IsRunc(container.HostConfig.Runtime) && ExecProcesses.CanSee(container.State.Pid, container.ID))
            {
                var (killed, survivors) = await ExecProcesses.KillAsync(exec.Pid, container.ID);
                CommandKilled(_logger, workspaceId, reason, killed);
                if (!survivors)
                {
                    return;
                }
            }

            // This process does not see the engine's pids (it runs in a container of its own, or
            // the runtime hides them), or the command's processes would not die: stopping the
            // container is the one kill the API offers. It also ends every other command
            // running in this workspace.
            KillingByRestart(_logger, workspaceId, reason);
            await DropAgentAsync(name);
            await _docker.Containers.RestartContainerAsync(name, new ContainerRestartParameters { WaitBeforeKillSeconds = 0 }, CancellationToken.None);
        }
        catch (Exception ex)
        {
            KillFailed(_logger, ex, workspaceId, reason);
        }
    }

    /// <summary>Kills what a finished command left running in the background (its session), when this process can see it.</summary>
    private async Task KillLeftoversAsync(string workspaceId, string name, long execPid)
    {
        if (execPid <= 0 || !IsRunc(_options.Runtime))
        {
            return;
        }

        try
        {
            var containerId = await ContainerIdAsync(name);
            var (killed, _) = await ExecProcesses.KillAsync(execPid, containerId);
            if (killed > 0)
            {
                LeftoversKilled(_logger, workspaceId, killed);
            }
        }
        catch (Exception ex)
        {
            KillFailed(_logger, ex, workspaceId, ExecTermination.Exited);
        }
    }

    private async Task<string> ContainerIdAsync(string name)
    {
        if (_containerIds.TryGetValue(name, out var id))
        {
            return id;
        }

        var container = await _docker.Containers.InspectContainerAsync(name, CancellationToken.None);
        return _containerIds.GetOrAdd(name, container.ID);
    }

    /// <summary>Whether the container's processes are host processes (runc, the engine's usual default), which <see cref="ExecProcesses"/> needs.</summary>
    private static bool IsRunc(string? runtime) => string.IsNullOrEmpty(runtime) || runtime is "runc" or "io.containerd.runc.v2";

    private static string UnixTime(DateTimeOffset time)
    {
        var nanoseconds = (time - DateTimeOffset.UnixEpoch).Ticks * 100;
        return string.Create(CultureInfo.InvariantCulture, $"{nanoseconds / 1_000_000_000}.{nanoseconds % 1_000_000_000:D9}");
    }

    /// <summary>Notes the first event and ends the wait for more.</summary>
    private sealed class FirstEvent(CancellationTokenSource done) : IProgress<Message>
    {
        private int _seen;

        public bool Seen => Volatile.Read(ref _seen) == 1;

        public void Report(Message value)
        {
            if (Interlocked.Exchange(ref _seen, 1) == 0)
            {
                done.Cancel();
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Workspace {WorkspaceId}: command {Reason}; killed its {Processes} processes")]
    private static partial void CommandKilled(ILogger logger, string workspaceId, ExecTermination reason, int processes);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Workspace {WorkspaceId}: killed {Processes} processes the finished command left running")]
    private static partial void LeftoversKilled(ILogger logger, string workspaceId, int processes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Workspace {WorkspaceId}: command {Reason}, but its processes cannot be killed from here; restarting the container, which stops every command in the workspace")]
    private static partial void KillingByRestart(ILogger logger, string workspaceId, ExecTermination reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Workspace {WorkspaceId}: could not kill the command ({Reason}); it may still be running until the workspace is destroyed")]
    private static partial void KillFailed(ILogger logger, Exception exception, string workspaceId, ExecTermination reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Workspace {WorkspaceId}: its container had stopped; starting it again")]
    private static partial void ContainerStartedAgain(ILogger logger, string workspaceId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the engine's events for {Container}; a SIGKILL is reported as killed, not out of memory")]
    private static partial void OomCheckFailed(ILogger logger, Exception exception, string container);
}
