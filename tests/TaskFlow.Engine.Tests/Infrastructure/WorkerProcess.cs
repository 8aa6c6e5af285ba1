using System.Diagnostics;

namespace TaskFlow.Engine.Tests.Infrastructure;

/// <summary>A real <c>taskflow worker</c> process, as an operator would run one. Disposing kills it.</summary>
public sealed class WorkerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _output = [];

    private WorkerProcess(Process process, string name)
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

    /// <summary>Starts a worker on the given database (a PostgreSQL connection string, or a SQLite data folder) and waits until it runs.</summary>
    public static async Task<WorkerProcess> StartAsync(string provider, string connection, string name, int maxConcurrency = 16, double leaseSeconds = 3, int maxSubtasks = 5000)
    {
        var cli = Path.Combine(AppContext.BaseDirectory, "taskflow.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { cli, "worker", provider == TestEngine.Postgres ? "--postgres" : "--data", connection, "--worker-id", name,
                     "--max-concurrency", maxConcurrency.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "--lease-seconds", leaseSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "--max-subtasks", maxSubtasks.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the worker process.");
        var worker = new WorkerProcess(process, name);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (worker._output)
            {
                worker._output.Add(e.Data);
            }

            if (e.Data.Contains("worker started", StringComparison.Ordinal))
            {
                started.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (worker._output)
                {
                    worker._output.Add(e.Data);
                }
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var ready = await Task.WhenAny(started.Task, process.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(60)));
        if (ready != started.Task)
        {
            await worker.DisposeAsync();
            throw new InvalidOperationException($"Worker {name} did not start:{Environment.NewLine}{worker.Output}");
        }

        return worker;
    }

    /// <summary>SIGKILL: no shutdown code runs, leases are left behind exactly as in a crash.</summary>
    public void KillHard()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit(10_000);
    }

    public ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            KillHard();
        }

        _process.Dispose();
        return ValueTask.CompletedTask;
    }
}
