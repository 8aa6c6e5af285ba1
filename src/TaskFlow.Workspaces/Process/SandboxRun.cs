using System.Diagnostics;
using System.Text;
using SystemProcess = System.Diagnostics.Process;

namespace TaskFlow.Workspaces.Process;

/// <summary>How a sandboxed command ended, before it is classified.</summary>
/// <param name="Stopped">Why it was killed: <see cref="ExecTermination.TimedOut"/>, <see cref="ExecTermination.Cancelled"/>, or null when it ended by itself.</param>
internal sealed record SandboxOutcome(int ExitCode, CappedOutput Stdout, CappedOutput Stderr, ExecTermination? Stopped, TimeSpan Duration);

/// <summary>
/// Runs one sandbox command line to its end: writes stdin, drains stdout and stderr, and at the
/// timeout or on cancellation kills it, and then everything in its cgroup.
/// </summary>
internal static class SandboxRun
{
    // After the kill, how long the process and its pipes get to close before the cgroup is
    // swept. With the pid namespace everything dies with the sandbox's init, so this is only a
    // backstop.
    private static readonly TimeSpan ExitGrace = TimeSpan.FromSeconds(5);

    /// <param name="userName">The account to start the command line as; null starts it as the service's own user.</param>
    public static async Task<SandboxOutcome> RunAsync(
        IReadOnlyList<string> commandLine,
        string? userName,
        string? stdin,
        int maxOutputBytes,
        TimeSpan timeout,
        CgroupSet? cgroup,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(commandLine[0])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            UserName = userName,
        };
        foreach (var argument in commandLine.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        // The service's environment (which may hold secrets) reaches neither the launch chain nor,
        // through bubblewrap's --clearenv, the command.
        start.Environment.Clear();
        start.Environment["PATH"] = SandboxCommand.DefaultPath;

        using var timeoutSource = new CancellationTokenSource(timeout, time);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(timeoutSource.Token, cancellationToken);
        using var process = new SystemProcess { StartInfo = start };
        var started = time.GetTimestamp();
        try
        {
            await LauncherThread.RunAsync(() => process.Start()).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            throw new WorkspaceException($"Could not start the sandbox ('{commandLine[0]}'): {ex.Message}", ex);
        }

        var stdout = new CappedOutput(maxOutputBytes);
        var stderr = new CappedOutput(maxOutputBytes);

        // The pumps stop only at end of stream: every process holding the pipes has exited.
        using var abandon = new CancellationTokenSource();
        var pumps = Task.WhenAll(
            stdout.ReadToEndAsync(process.StandardOutput.BaseStream, abandon.Token),
            stderr.ReadToEndAsync(process.StandardError.BaseStream, abandon.Token),
            WriteStdinAsync(process.StandardInput.BaseStream, stdin, stop.Token));

        ExecTermination? stopped = null;
        try
        {
            await process.WaitForExitAsync(stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            stopped = cancellationToken.IsCancellationRequested ? ExecTermination.Cancelled : ExecTermination.TimedOut;
            Kill(process, cgroup);
            await WaitAsync(process.WaitForExitAsync(CancellationToken.None), time).ConfigureAwait(false);
        }

        var duration = time.GetElapsedTime(started);
        if (!await WaitAsync(pumps, time).ConfigureAwait(false))
        {
            // Something still holds the output open; it can only be in the cgroup.
            cgroup?.KillAll();
            if (!await WaitAsync(pumps, time).ConfigureAwait(false))
            {
                // Give up on the output rather than hang: what was read so far is the result.
                await abandon.CancelAsync().ConfigureAwait(false);
                await WaitAsync(pumps, time).ConfigureAwait(false);
            }
        }

        return new SandboxOutcome(process.HasExited ? process.ExitCode : -1, stdout, stderr, stopped, duration);
    }

    private static void Kill(SystemProcess process, CgroupSet? cgroup)
    {
        // Killing the outer bubblewrap kills the sandbox's init (--die-with-parent), and the kernel
        // kills every process of a pid namespace whose init dies. The cgroup sweep, race-free
        // through pidfds, catches the rest. Process.Kill(entireProcessTree) is not used: it walks
        // the host's process list by pid and can signal an unrelated process that reused a pid.
        try
        {
            process.Kill();
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }

        cgroup?.KillAll();
    }

    private static async Task WriteStdinAsync(Stream input, string? text, CancellationToken cancellationToken)
    {
        try
        {
            if (text is not null)
            {
                await input.WriteAsync(new UTF8Encoding(false).GetBytes(text), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException)
        {
            // The command exited or closed its input without reading it all; not an error.
        }
        finally
        {
            try
            {
                await input.DisposeAsync().ConfigureAwait(false);
            }
            catch (IOException)
            {
            }
        }
    }

    private static async Task<bool> WaitAsync(Task task, TimeProvider time)
    {
        try
        {
            await task.WaitAsync(ExitGrace, time).ConfigureAwait(false);
        }
        catch (TimeoutException) when (!task.IsCompleted)
        {
            return false;
        }
        catch (Exception) when (task.IsCompleted)
        {
            // Ended by a broken pipe or an abandoned read: ended all the same.
        }

        return true;
    }
}
