using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace TaskFlow.Chaos.Harness;

/// <summary>A <c>taskflow serve</c> process on a free port of 127.0.0.1 with SQLite in a fresh folder (or the database its environment names).</summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Func<Task> _delete;
    private readonly StringBuilder _output = new();

    private ServerProcess(Process process, Func<Task> delete, string url)
    {
        _process = process;
        _delete = delete;
        Url = url;
    }

    public string Url { get; }

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

    /// <param name="environment">Extra environment variables (configuration such as <c>TaskFlow__Engine__Provider</c>).</param>
    /// <param name="dataFolder">The data folder (SQLite) to use and leave in place; a fresh one, deleted on dispose, when null.</param>
    public static async Task<ServerProcess> StartAsync(string key, IReadOnlyDictionary<string, string>? environment = null, string? dataFolder = null)
    {
        var (folder, delete) = dataFolder is null ? Testing.TestDatabases.CreateFolder("taskflow-api-fuzz-") : (dataFolder, () => Task.CompletedTask);
        var url = $"http://127.0.0.1:{FreePort()}";
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "taskflow.dll"), "serve", "--urls", url, "--data", folder })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["TaskFlow__Server__ApiKeys__0"] = key;
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start taskflow serve.");
        var server = new ServerProcess(process, delete, url);
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void Keep(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (server._output)
            {
                if (server._output.Length < 2_000_000)
                {
                    server._output.AppendLine(line);
                }
            }

            if (line.Contains("TaskFlow is running at", StringComparison.Ordinal))
            {
                ready.TrySetResult();
            }
        }

        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (await Task.WhenAny(ready.Task, process.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(120))) != ready.Task)
        {
            var output = server.Output;
            await server.DisposeAsync();
            throw new InvalidOperationException($"taskflow serve did not start:{Environment.NewLine}{output}");
        }

        return server;
    }

    /// <summary>A client of a server at <paramref name="url"/> that sends <paramref name="key"/> with every request.</summary>
    public static HttpClient ClientFor(string url, string key)
    {
        var client = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Add("X-Api-Key", key);
        return client;
    }

    /// <summary>The process's id.</summary>
    public int ProcessId => _process.Id;

    /// <summary>Kills the process (SIGKILL) at once, without looking for its children first; its data folder stays until dispose.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
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
        await _delete();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
