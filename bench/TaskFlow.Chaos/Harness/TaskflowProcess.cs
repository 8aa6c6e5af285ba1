using System.Diagnostics;
using System.Globalization;

namespace TaskFlow.Chaos.Harness;

/// <summary>
/// A real <c>taskflow worker</c> process on a PostgreSQL database, as an operator runs one.
/// <see cref="KillHard"/> is SIGKILL; disposing kills it too.
/// </summary>
public sealed class TaskflowProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _output = [];

    private TaskflowProcess(Process process, string name)
    {
        _process = process;
        Name = name;
    }

    public string Name { get; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return string.Join(Environment.NewLine, _output);
            }
        }
    }

    /// <summary>
    /// Starts a worker named <paramref name="name"/>; its PostgreSQL connections carry the name as
    /// their application name, so a fault can pick them out in <c>pg_stat_activity</c>.
    /// </summary>
    /// <param name="environment">Extra environment variables (configuration such as <c>TaskFlow__Engine__MaxIdleWait</c>).</param>
    public static async Task<TaskflowProcess> StartWorkerAsync(string connectionString, string name, int maxConcurrency, double leaseSeconds, string? extraConnectionSettings = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var connection = $"{connectionString};Application Name={name}" + (extraConnectionSettings is null ? "" : ";" + extraConnectionSettings);
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        foreach (var argument in new[]
                 {
                     Path.Combine(AppContext.BaseDirectory, "taskflow.dll"), "worker", "--postgres", connection, "--worker-id", name,
                     "--max-concurrency", maxConcurrency.ToString(CultureInfo.InvariantCulture),
                     "--lease-seconds", leaseSeconds.ToString(CultureInfo.InvariantCulture),
                     "--max-subtasks", "10000",
                 })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start worker {name}.");
        var worker = new TaskflowProcess(process, name);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            worker.Keep(e.Data);
            if (e.Data.Contains("worker started", StringComparison.Ordinal))
            {
                started.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                worker.Keep(e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var ready = await Task.WhenAny(started.Task, process.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(90)));
        if (ready != started.Task)
        {
            await worker.DisposeAsync();
            throw new InvalidOperationException($"Worker {name} did not start:{Environment.NewLine}{worker.Output}");
        }

        return worker;
    }

    /// <summary>SIGKILL: no shutdown code runs; leases and open transactions are left exactly as in a crash.</summary>
    public void KillHard()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.WaitForExit(10_000);
    }

    public ValueTask DisposeAsync()
    {
        try
        {
            KillHard();
        }
        catch (InvalidOperationException)
        {
            // Never started or already reaped.
        }

        _process.Dispose();
        return ValueTask.CompletedTask;
    }

    private void Keep(string line)
    {
        lock (_output)
        {
            // Enough to explain a failure; a flood of retries must not grow without bound.
            if (_output.Count < 2_000)
            {
                _output.Add(line);
            }
        }
    }
}
