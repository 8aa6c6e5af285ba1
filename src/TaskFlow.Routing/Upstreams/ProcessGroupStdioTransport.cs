using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace TaskFlow.Routing.Upstreams;

/// <summary>
/// Starts a stdio MCP server in a process group of its own and speaks MCP over its standard input
/// and output. Closing the session closes the server's stdin, and whatever of the group is still
/// running half a second later gets SIGTERM, then SIGKILL half a second after that: a server that
/// ignores its stdin closing (server-postgres), or one that runs a second process (agentdb, a
/// server started through npx), goes as a whole, in about a second at most, with no orphan left.
/// </summary>
/// <remarks>
/// On Linux the command runs under <c>setsid</c>, which (the child not being a group leader) makes
/// itself a new session and group and then execs the command in place: the server's pid is the
/// group's id, and the whole group is signalled with <c>kill(-pid)</c>. Elsewhere the process tree
/// is killed instead. Lines on stderr are logged at Debug, and the last 50 are kept for the
/// message that says why the server went away.
/// </remarks>
internal sealed partial class ProcessGroupStdioTransport(
    string name,
    string command,
    IReadOnlyList<string> arguments,
    IReadOnlyDictionary<string, string> environment,
    string? workingDirectory,
    ILoggerFactory loggers,
    long maxMessageBytes,
    Func<CancellationToken, Task<ConfinedLaunch>>? confine = null) : IClientTransport
{
    private static readonly TimeSpan StdinGrace = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan TermGrace = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan KillGrace = TimeSpan.FromMilliseconds(500);
    private static readonly string? Setsid = OperatingSystem.IsLinux() ? new[] { "/usr/bin/setsid", "/bin/setsid" }.FirstOrDefault(File.Exists) : null;

    private readonly ILogger _logger = loggers.CreateLogger($"TaskFlow.Routing.Upstream.{name}.Process");
    private readonly StderrTail _stderrTail = new();
    private Process? _process;

    // The exit code of the process once it is known to have exited, kept after the process object
    // is disposed (the SDK stops a session whose start failed before the router asks why).
    private int? _exitCode;
    private volatile bool _released;
    private bool _grouped;
    private ConfinedLaunch? _confined;
    private MessageSizeLimitStream? _output;

    public string Name => name;

    /// <summary>The server's process id (and, on Linux, its process group's); null before it starts.</summary>
    public int? ProcessId { get; private set; }

    public async Task<ITransport> ConnectAsync(CancellationToken cancellationToken = default)
    {
        var start = new ProcessStartInfo
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            CreateNoWindow = true,
            StandardOutputEncoding = new UTF8Encoding(false),
            StandardErrorEncoding = new UTF8Encoding(false),
            StandardInputEncoding = new UTF8Encoding(false),
        };
        if (workingDirectory is { Length: > 0 })
        {
            start.WorkingDirectory = workingDirectory;
        }

        var (program, programArguments) = (command, arguments);
        if (confine is not null)
        {
            // Inside a workspace: the launch carries the server's environment itself, and none of
            // this process's (which may hold secrets) reaches the launch chain.
            _confined = await confine(cancellationToken);
            if (_confined.Stdio is { } stdio)
            {
                // Started by its workspace (a program in a container): no local process.
                return await ConnectToStartedAsync(stdio, cancellationToken);
            }

            (program, programArguments) = (_confined.Command, _confined.Arguments);
            start.Environment.Clear();
            start.Environment["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
        }
        else
        {
            foreach (var (key, value) in environment)
            {
                start.Environment[key] = value;
            }
        }

        try
        {
            program = Resolve(program);
        }
        catch
        {
            await EndConfinementAsync();
            throw;
        }

        _grouped = Setsid is not null;
        start.FileName = Setsid ?? program;
        if (Setsid is not null)
        {
            start.ArgumentList.Add(program);
        }

        foreach (var argument in programArguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                _stderrTail.Add(line);

                StandardError(_logger, name, line);
            }
        };
        try
        {
            process.Start();
        }
        catch
        {
            await EndConfinementAsync();
            throw;
        }

        process.BeginErrorReadLine();
        _exitCode = null;
        _released = false;
        _process = process;
        ProcessId = process.Id;
        try
        {
            _output = new MessageSizeLimitStream(process.StandardOutput.BaseStream, maxMessageBytes);
            var streams = new StreamClientTransport(process.StandardInput.BaseStream, _output, loggers);
            return new Session(await streams.ConnectAsync(cancellationToken), this);
        }
        catch
        {
            await StopAsync();
            throw;
        }
    }

    private async Task<ITransport> ConnectToStartedAsync(ConfinedStdio stdio, CancellationToken cancellationToken)
    {
        try
        {
            _output = new MessageSizeLimitStream(stdio.FromServer, maxMessageBytes);
            var streams = new StreamClientTransport(stdio.ToServer, _output, loggers);
            return new Session(await streams.ConnectAsync(cancellationToken), this);
        }
        catch
        {
            await stdio.ToServer.DisposeAsync();
            await stdio.FromServer.DisposeAsync();
            await EndConfinementAsync();
            throw;
        }
    }

    /// <summary>Why the session was closed when it was closed for a message too large to read; else null.</summary>
    public string? DescribeOversize() => _output?.Failure?.Message;

    /// <summary>Why the process went away, once it has: its exit code (a signal's number where it was killed) and the line on stderr that says why (<see cref="StderrTail"/>); null while it runs.</summary>
    public string? DescribeExit()
    {
        if (ExitCode() is not { } code)
        {
            return null;
        }

        var signal = code > 128 && code < 160 ? $" (signal {code - 128})" : "";
        var telling = _stderrTail.TellingLine();
        return $"process {ProcessId} exited with code {code}{signal}{(telling is null ? "" : $"; on stderr: {telling}")}";
    }

    /// <summary>Waits, at most <paramref name="within"/>, for the process to exit.</summary>
    public async Task WaitForExitAsync(TimeSpan within)
    {
        if (_process is { } process && !_released && ExitCode() is null)
        {
            try
            {
                await ExitedAsync(process, within);
            }
            catch (InvalidOperationException)
            {
                // Stopped and released meanwhile; its exit code was kept then.
            }
        }
    }

    private int? ExitCode()
    {
        if (_exitCode is not null || _released || _process is not { } process)
        {
            return _exitCode;
        }

        try
        {
            return process.HasExited ? process.ExitCode : null;
        }
        catch (InvalidOperationException)
        {
            // Released meanwhile.
            return _exitCode;
        }
    }

    /// <summary>Keeps the exit code, once the process has exited and its stderr has been read to the end (at most a second), then disposes it.</summary>
    private async Task ReleaseAsync(Process process)
    {
        try
        {
            if (process.HasExited)
            {
                await ExitedAsync(process, TimeSpan.FromSeconds(1));
                _exitCode = process.ExitCode;
            }
        }
        catch (InvalidOperationException)
        {
            // Nothing to keep.
        }

        _released = true;
        process.Dispose();
    }

    /// <summary>The workspace a confined server runs in; null for one on the host.</summary>
    public string? WorkspaceId => _confined?.WorkspaceId;

    /// <summary>Closes stdin, then ends whatever of the group is left: SIGTERM, then SIGKILL; then the server's workspace, if it has one.</summary>
    private async Task StopAsync()
    {
        try
        {
            await StopProcessAsync();
        }
        finally
        {
            await EndConfinementAsync();
        }
    }

    private async Task EndConfinementAsync()
    {
        if (Interlocked.Exchange(ref _confined, null) is { } confined)
        {
            try
            {
                await confined.Lifetime.DisposeAsync();
            }
            catch (Exception ex)
            {
                ConfinementNotEnded(_logger, ex, name, confined.WorkspaceId);
            }
        }
    }

    private async Task StopProcessAsync()
    {
        if (_process is not { } process)
        {
            return;
        }

        try
        {
            process.StandardInput.Close();
        }
        catch (Exception)
        {
            // Already closed, or the process is gone.
        }

        if (!_grouped)
        {
            if (!await ExitedAsync(process, StdinGrace + TermGrace))
            {
                try
                {
                    process.Kill(entireProcessTree: true);
                }
                catch (Exception)
                {
                    // It exited meanwhile.
                }
            }

            await ReleaseAsync(process);
            return;
        }

        var group = ProcessId!.Value;
        if (!await GroupGoneAsync(group, StdinGrace))
        {
            _ = kill(-group, SigTerm);
            if (!await GroupGoneAsync(group, TermGrace))
            {
                _ = kill(-group, SigKill);
                if (!await GroupGoneAsync(group, KillGrace))
                {
                    StillRunning(_logger, name, group);
                }
            }
        }

        await ReleaseAsync(process);
    }

    private static async Task<bool> ExitedAsync(Process process, TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Waits until no process of the group is left (zombies aside, <c>kill(-group, 0)</c> fails with ESRCH), at most <paramref name="within"/>.</summary>
    private static async Task<bool> GroupGoneAsync(int group, TimeSpan within)
    {
        var started = Stopwatch.GetTimestamp();
        while (kill(-group, 0) == 0)
        {
            if (Stopwatch.GetElapsedTime(started) >= within)
            {
                return false;
            }

            await Task.Delay(20);
        }

        return true;
    }

    /// <summary>The program to start: a path as it is, or a name found on PATH; a clear error when there is none.</summary>
    private static string Resolve(string command)
    {
        if (command.Contains('/', StringComparison.Ordinal))
        {
            return File.Exists(command) ? command : throw new FileNotFoundException($"the command '{command}' does not exist");
        }

        foreach (var folder in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(folder, command);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"the command '{command}' was not found on PATH");
    }

    private const int SigTerm = 15;
    private const int SigKill = 9;

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);

    [LoggerMessage(Level = LogLevel.Debug, Message = "MCP server {Server} stderr: {Line}")]
    private static partial void StandardError(ILogger logger, string server, string line);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MCP server {Server}: its workspace {WorkspaceId} could not be destroyed; the scheduled workspace cleanup reclaims it")]
    private static partial void ConfinementNotEnded(ILogger logger, Exception exception, string server, string workspaceId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MCP server {Server}: process group {Group} still has processes after SIGKILL")]
    private static partial void StillRunning(ILogger logger, string server, int group);

    /// <summary>The MCP session over the process's pipes; closing it stops the process group.</summary>
    private sealed class Session(ITransport inner, ProcessGroupStdioTransport owner) : ITransport
    {
        public string? SessionId => inner.SessionId;

        public ChannelReader<JsonRpcMessage> MessageReader => inner.MessageReader;

        public Task SendMessageAsync(JsonRpcMessage message, CancellationToken cancellationToken = default) =>
            inner.SendMessageAsync(message, cancellationToken);

        public async ValueTask DisposeAsync()
        {
            try
            {
                await inner.DisposeAsync();
            }
            finally
            {
                await owner.StopAsync();
            }
        }
    }
}
