using System.Diagnostics;
using System.Text.RegularExpressions;

namespace TaskFlow.Chaos.Harness;

/// <summary>
/// A PostgreSQL server of the scenario's own (scripts/start-postgres.sh in a fresh folder), for
/// faults that hit the whole server: restarting the shared test server would break every other
/// test running against it. Needs root, like the script. Disposing stops it and removes its folder.
/// </summary>
public sealed partial class PrivatePostgres : IAsyncDisposable
{
    private readonly string _directory;
    private readonly string _bin;

    private PrivatePostgres(string directory, string bin, string connectionString)
    {
        _directory = directory;
        _bin = bin;
        ConnectionString = connectionString;
    }

    /// <summary>The server's administrative connection string (database <c>postgres</c>).</summary>
    public string ConnectionString { get; }

    public static async Task<PrivatePostgres> StartAsync()
    {
        var directory = Path.Combine(Path.GetTempPath(), "taskflow-chaos-pg-" + Guid.NewGuid().ToString("N")[..8]);
        var (exit, stdout, stderr) = await RunAsync("bash", RepositoryPaths.Script("start-postgres.sh"), directory);
        var match = ExportLine().Match(stdout);
        if (exit != 0 || !match.Success)
        {
            await RunAsync("bash", RepositoryPaths.Script("stop-postgres.sh"), directory);
            throw new InvalidOperationException($"scripts/start-postgres.sh failed (exit {exit}); a private PostgreSQL server needs root:{Environment.NewLine}{stderr}");
        }

        var version = (await File.ReadAllTextAsync(Path.Combine(directory, "data", "PG_VERSION"))).Trim();
        return new PrivatePostgres(directory, $"/usr/lib/postgresql/{version}/bin", match.Groups[1].Value);
    }

    /// <summary>
    /// <c>pg_ctl restart -m immediate</c>: every backend is killed without a checkpoint and the
    /// server recovers from its WAL on start, as after a crash of the database host's processes.
    /// Returns once the server accepts connections again.
    /// </summary>
    /// The server log goes to a file: pg_ctl would otherwise hand the new server this process's pipes.
    public async Task RestartImmediateAsync()
    {
        var (exit, _, stderr) = await RunAsync("runuser", "-u", "postgres", "--", Path.Combine(_bin, "pg_ctl"), "-D", Path.Combine(_directory, "data"), "-l", Path.Combine(_directory, "server.log"), "restart", "-m", "immediate", "-w", "-t", "120");
        if (exit != 0)
        {
            throw new InvalidOperationException($"pg_ctl restart failed (exit {exit}): {stderr}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        Npgsql.NpgsqlConnection.ClearAllPools();
        await RunAsync("bash", RepositoryPaths.Script("stop-postgres.sh"), _directory);
    }

    private static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = "/" };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout, await stderr);
    }

    [GeneratedRegex("TASKFLOW_TEST_POSTGRES='([^']+)'")]
    private static partial Regex ExportLine();
}
