using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace TaskFlow.Bench.Mcp;

/// <summary>
/// server-everything in Streamable HTTP mode on a free loopback port. Its per-request log goes to
/// a temporary file rather than a pipe this process would have to drain (which would cost the
/// client CPU it is measuring). Disposing kills the server and deletes the log.
/// </summary>
internal sealed class EverythingHttpProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _log;

    private EverythingHttpProcess(Process process, int port, string log)
    {
        _process = process;
        _log = log;
        Endpoint = new Uri($"http://127.0.0.1:{port}/mcp");
    }

    public Uri Endpoint { get; }

    /// <summary>The server's peak resident memory so far (VmHWM), in MiB; null when it cannot be read.</summary>
    public double? PeakRssMiB
    {
        get
        {
            try
            {
                var line = File.ReadLines($"/proc/{_process.Id}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
                return line is null ? null : long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024.0;
            }
            catch (IOException)
            {
                return null;
            }
        }
    }

    public static async Task<EverythingHttpProcess> StartAsync(EverythingServer server, CancellationToken cancellationToken)
    {
        // The port is chosen here and handed over through PORT, so another process can take it in
        // between; the server then exits and another port is tried.
        for (var attempt = 1; ; attempt++)
        {
            var handle = Start(server, FreeLoopbackPort());
            try
            {
                await handle.WaitUntilListeningAsync(TimeSpan.FromSeconds(30), cancellationToken);
                return handle;
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
                await handle.DisposeAsync();
            }
            catch
            {
                await handle.DisposeAsync();
                throw;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (InvalidOperationException)
        {
            // It ended between the check and the kill.
        }
        finally
        {
            _process.Dispose();
            File.Delete(_log);
        }
    }

    private static EverythingHttpProcess Start(EverythingServer server, int port)
    {
        var log = Path.Combine(Path.GetTempPath(), $"taskflow-bench-mcp-{Guid.NewGuid():N}.log");

        // exec: the shell only sets up the redirection, so the process id is node's.
        var start = new ProcessStartInfo("/bin/sh")
        {
            WorkingDirectory = server.PackageFolder,
            UseShellExecute = false,
            RedirectStandardInput = true,
        };
        foreach (var argument in (string[])["-c", "exec node \"$1\" streamableHttp >\"$2\" 2>&1", "sh", server.Entry, log])
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["PORT"] = port.ToString(CultureInfo.InvariantCulture);
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start node for the HTTP server (is Node.js on PATH?).");
        return new EverythingHttpProcess(process, port, log);
    }

    private async Task WaitUntilListeningAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"server-everything on {Endpoint} exited with code {_process.ExitCode} before it listened: {LogTail()}");
            }

            using (var client = new TcpClient(AddressFamily.InterNetwork))
            {
                try
                {
                    await client.ConnectAsync(IPAddress.Loopback, Endpoint.Port, cancellationToken);
                    return;
                }
                catch (SocketException)
                {
                    // Not listening yet.
                }
            }

            if (waited.Elapsed >= timeout)
            {
                throw new TimeoutException($"server-everything on {Endpoint} did not listen within {timeout.TotalSeconds:0} s: {LogTail()}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken);
        }
    }

    private string LogTail() => File.Exists(_log) ? string.Join(" | ", File.ReadLines(_log).TakeLast(10)) : "(no output)";

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
