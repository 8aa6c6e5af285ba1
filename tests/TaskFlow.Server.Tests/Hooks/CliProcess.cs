using System.Diagnostics;
using System.Text;

namespace TaskFlow.Server.Tests.Hooks;

/// <summary>What a finished process printed and returned.</summary>
internal sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}{Environment.NewLine}stdout: {Stdout}{Environment.NewLine}stderr: {Stderr}";
}

/// <summary>
/// Runs a real process to the end with a bound on its run time: the built <c>taskflow</c> (as
/// <c>dotnet taskflow.dll</c>, as Claude Code would run the hook command), the native
/// <c>taskflow-hook</c>, or claude-flow under node.
/// Variables of the test run that TaskFlow reads are removed first, so only what a test passes
/// configures it. A process still running at the bound is killed and the test fails.
/// </summary>
internal static class CliProcess
{
    private static readonly string[] ReadPrefixes = ["TASKFLOW_", "TaskFlow__"];

    public static Task<CliResult> TaskFlowAsync(IEnumerable<string> arguments, string? stdin, string workingDirectory, IReadOnlyDictionary<string, string>? environment = null, bool keepStdinOpen = false, TimeSpan? timeout = null) =>
        RunAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "taskflow.dll"), .. arguments], stdin, workingDirectory, environment, keepStdinOpen, timeout ?? TimeSpan.FromSeconds(60));

    /// <summary>One hook event through <paramref name="launcher"/>, with the hook's own options.</summary>
    public static Task<CliResult> HookAsync(HookLauncher launcher, IEnumerable<string> options, string? stdin, string workingDirectory, IReadOnlyDictionary<string, string>? environment = null, bool keepStdinOpen = false, TimeSpan? timeout = null) =>
        launcher == HookLauncher.Native
            ? RunAsync(NativeHook.Path, options, stdin, workingDirectory, environment, keepStdinOpen, timeout ?? TimeSpan.FromSeconds(60))
            : TaskFlowAsync(["hook", .. options], stdin, workingDirectory, environment, keepStdinOpen, timeout);

    public static async Task<CliResult> RunAsync(string program, IEnumerable<string> arguments, string? stdin, string workingDirectory, IReadOnlyDictionary<string, string>? environment, bool keepStdinOpen, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var name in start.Environment.Keys.Where(k => ReadPrefixes.Any(p => k.StartsWith(p, StringComparison.OrdinalIgnoreCase))).ToList())
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {program}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            if (stdin is not null)
            {
                await process.StandardInput.WriteAsync(stdin);
                await process.StandardInput.FlushAsync();
            }

            if (!keepStdinOpen)
            {
                process.StandardInput.Close();
            }
        }
        catch (IOException) when (process.WaitForExit(TimeSpan.FromSeconds(10)))
        {
            // The program exited before reading its input (a refused option does): the broken
            // pipe is how the write learns it; the exit code and stderr below tell the rest.
        }

        using var bound = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(bound.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            throw new TimeoutException($"{program} {string.Join(' ', start.ArgumentList)} did not exit within {timeout.TotalSeconds:0} s; it was killed. stdout: {await stdout} stderr: {await stderr}");
        }

        return new CliResult(process.ExitCode, await stdout, await stderr);
    }
}
