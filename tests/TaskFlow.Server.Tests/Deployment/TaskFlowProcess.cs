using System.Diagnostics;
using System.Text;

namespace TaskFlow.Server.Tests.Deployment;

/// <summary>
/// The built <c>taskflow.dll</c> as a separate process with exactly the environment a container
/// would give it: variables of the test run that TaskFlow or ASP.NET Core would read are removed
/// first, so only what the caller passes configures it. Output is collected as it comes (a full
/// pipe would stall the process). Disposing kills it if it still runs.
/// </summary>
internal sealed class TaskFlowProcess : IAsyncDisposable
{
    private static readonly string[] ReadPrefixes = ["TASKFLOW_", "TaskFlow__", "ASPNETCORE_", "ConnectionStrings__", "DOTNET_RUNNING_IN_CONTAINER", "DOCKER_HOST"];

    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly List<(string Text, TaskCompletionSource<string> Seen)> _waiters = [];

    private TaskFlowProcess(Process process) => _process = process;

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Everything printed so far, stdout and stderr interleaved as they arrived.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static TaskFlowProcess Start(string program, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment, string workingDirectory)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var name in start.Environment.Keys.Where(k => ReadPrefixes.Any(p => k.StartsWith(p, StringComparison.OrdinalIgnoreCase))).ToList())
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var result = new TaskFlowProcess(process);
        process.OutputDataReceived += (_, e) => result.Append(e.Data);
        process.ErrorDataReceived += (_, e) => result.Append(e.Data);
        if (!process.Start())
        {
            throw new InvalidOperationException($"Could not start {program}.");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return result;
    }

    /// <summary>Returns the first output line containing <paramref name="text"/>; fails with the output so far on timeout or exit.</summary>
    public async Task<string> WaitForOutputAsync(string text, TimeSpan timeout)
    {
        var seen = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_output)
        {
            var earlier = _output.ToString().Split('\n').FirstOrDefault(l => l.Contains(text, StringComparison.Ordinal));
            if (earlier is not null)
            {
                return earlier;
            }

            _waiters.Add((text, seen));
        }

        var exited = _process.WaitForExitAsync();
        var finished = await Task.WhenAny(seen.Task, exited, Task.Delay(timeout));
        if (finished == seen.Task)
        {
            return await seen.Task;
        }

        var why = finished == exited ? $"exited with code {_process.ExitCode}" : $"did not print it within {timeout.TotalSeconds:0} s";
        throw new Xunit.Sdk.XunitException($"Waiting for '{text}': the process {why}. Output:{Environment.NewLine}{Output}");
    }

    /// <summary>A TCP port on the loopback address that was free a moment ago.</summary>
    public static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Waits until the server answers <c>/health/ready</c>; fails the test with its output when it exits or takes longer than <paramref name="timeout"/>.</summary>
    public async Task WaitReadyAsync(HttpClient client, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            Assert.False(HasExited, "A server exited during start:\n" + Output);
            try
            {
                using var ready = await client.GetAsync("/health/ready");
                if (ready.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(200);
        }

        Assert.Fail($"A server did not become ready in {timeout.TotalSeconds:0} s:\n" + Output);
    }

    /// <summary>
    /// Stops the process as <c>docker stop</c> does: SIGTERM, then a kill after
    /// <paramref name="grace"/>. Returns the exit code, or null when it had to be killed.
    /// </summary>
    public async Task<int?> StopAsync(TimeSpan grace)
    {
        if (!_process.HasExited)
        {
            using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) }, UseShellExecute = false })!;
            await kill.WaitForExitAsync();
        }

        using var cancel = new CancellationTokenSource(grace);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
            return _process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Append(line).Append('\n');
            foreach (var waiter in _waiters.Where(w => line.Contains(w.Text, StringComparison.Ordinal)).ToList())
            {
                _waiters.Remove(waiter);
                waiter.Seen.TrySetResult(line);
            }
        }
    }
}
