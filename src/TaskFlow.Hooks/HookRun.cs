namespace TaskFlow.Hooks;

/// <summary>
/// One hook event from stdin to exit code, shared by <c>taskflow hook</c> and the native
/// <c>taskflow-hook</c> executable so that both answer the same event the same way.
/// </summary>
internal static class HookRun
{
    public static async Task<int> RunAsync(Stream stdin, TextWriter stdout, TextWriter stderr, HookOptions options, CancellationToken cancellationToken = default)
    {
        var (text, error) = await HookStdin.ReadAsync(stdin, options.MaxStdinBytes, options.StdinTimeout);
        var input = text is null ? null : ClaudeCodeHook.Parse(text, out error);
        if (input is null)
        {
            await stderr.WriteLineAsync(error);
            return 1;
        }

        var store = HookPlanStore.For(HookJson.Text(input["cwd"]));
        var hook = new ClaudeCodeHook(store, options, TimeProvider.System, message => stderr.WriteLine(message));
        HookOutcome outcome;
        try
        {
            (outcome, _) = await hook.HandleAsync(input, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or TimeoutException)
        {
            // A store that cannot be written must not stop the Task call: a non-blocking error.
            await stderr.WriteLineAsync($"taskflow hook: the plan store {store.Directory} could not be used: {ex.Message}");
            return 1;
        }

        if (ClaudeCodeHook.SyncsLivePlans(input) && HookLivePlans.FromEnvironment(HookJson.Text(input["cwd"])) is { } live)
        {
            await live.SyncAsync(store, ClaudeCodeHook.SessionOf(input), message => stderr.WriteLine(message), cancellationToken);
        }

        if (outcome.Stdout is not null)
        {
            await stdout.WriteLineAsync(outcome.Stdout);
        }

        if (outcome.Stderr is not null)
        {
            await stderr.WriteLineAsync(outcome.Stderr);
        }

        return outcome.ExitCode;
    }
}
