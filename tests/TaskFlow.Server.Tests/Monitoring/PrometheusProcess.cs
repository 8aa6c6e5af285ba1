using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace TaskFlow.Server.Tests.Monitoring;

/// <summary>
/// A real Prometheus (Debian's <c>prometheus</c> package, which scripts/test.sh installs) on a
/// free loopback port with a configuration written by the test; its data in a temporary folder,
/// removed with it.
/// </summary>
internal sealed class PrometheusProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _folder;
    private readonly System.Text.StringBuilder _output = new();

    private PrometheusProcess(Process process, string folder, Uri address)
    {
        _process = process;
        _folder = folder;
        Address = address;
        Http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
    }

    public Uri Address { get; }

    public HttpClient Http { get; }

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

    /// <summary>The path of a program of the prometheus package; fails naming the package when it is missing.</summary>
    public static string Program(string name)
    {
        var found = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);
        Assert.True(found is not null, $"'{name}' is not installed: install Debian's 'prometheus' package (scripts/test.sh does).");
        return found!;
    }

    /// <param name="configuration">prometheus.yml; rule files it names are resolved against <paramref name="folder"/>.</param>
    /// <param name="folder">A folder of the test's, holding the configuration; the data goes under it.</param>
    public static async Task<PrometheusProcess> StartAsync(string configuration, string folder, int port)
    {
        var config = Path.Combine(folder, "prometheus.yml");
        await File.WriteAllTextAsync(config, configuration);
        var start = new ProcessStartInfo(Program("prometheus"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = folder,
        };
        foreach (var argument in new[]
        {
            $"--config.file={config}", $"--storage.tsdb.path={Path.Combine(folder, "data")}",
            $"--web.listen-address=127.0.0.1:{port}",
        })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        var prometheus = new PrometheusProcess(process, folder, new Uri($"http://127.0.0.1:{port}"));
        process.OutputDataReceived += (_, e) => prometheus.Append(e.Data);
        process.ErrorDataReceived += (_, e) => prometheus.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            Assert.False(process.HasExited, $"Prometheus exited during start:\n{prometheus.Output}");
            try
            {
                using var ready = await prometheus.Http.GetAsync("/-/ready");
                if (ready.IsSuccessStatusCode)
                {
                    return prometheus;
                }
            }
            catch (HttpRequestException)
            {
            }

            Assert.True(DateTime.UtcNow < deadline, $"Prometheus was not ready within 60 s:\n{prometheus.Output}");
            await Task.Delay(200);
        }
    }

    /// <summary>Runs an instant query; returns the result vector (empty when no series matched), failing on a query error.</summary>
    public async Task<JsonArray> QueryAsync(string expression)
    {
        var answer = await Http.GetFromJsonAsync<JsonObject>("/api/v1/query?query=" + Uri.EscapeDataString(expression));
        Assert.True((string?)answer!["status"] == "success", $"Query failed: {expression}\n{answer.ToJsonString()}");
        return answer["data"]!["result"]!.AsArray();
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
