using System.CommandLine;
using TaskFlow.Server.Hooks;

namespace TaskFlow.Server.Cli;

/// <summary>
/// <c>taskflow hook</c>: Claude Code's hook protocol on stdin and stdout. Kept free of hosting, DI
/// and the database so that a hook process starts and exits quickly; see docs/hooks.md.
/// </summary>
internal static class HookCommand
{
    public static Command Create()
    {
        var block = new Option<bool>("--block-invalid") { Description = $"Block (exit 2, reason on stderr) a Task call whose task breaks a decomposition rule or limit. Also {HookOptions.BlockVariable}=true." };
        var timeout = new Option<double>("--stdin-timeout") { Description = "Seconds to wait for stdin to close.", DefaultValueFactory = _ => 5 };
        var options = DecompositionArguments.Create();
        var command = new Command("hook", "Handle one Claude Code hook event (JSON on stdin): plan Task calls, record their results, aggregate. Exit 0 ok, 1 bad input, 2 blocked.")
        {
            block, timeout,
        };
        options.AddTo(command);
        command.SetAction(async (result, cancellationToken) =>
        {
            var hookOptions = options.Read(result);
            hookOptions.BlockInvalid = result.GetValue(block) || HookOptions.BlockFromEnvironment();
            hookOptions.StdinTimeout = TimeSpan.FromSeconds(Math.Max(0.05, result.GetValue(timeout)));
            return await RunAsync(Console.OpenStandardInput(), hookOptions, cancellationToken);
        });
        return command;
    }

    private static async Task<int> RunAsync(Stream stdin, HookOptions options, CancellationToken cancellationToken)
    {
        var (text, error) = await HookStdin.ReadAsync(stdin, options.MaxStdinBytes, options.StdinTimeout);
        var input = text is null ? null : ClaudeCodeHook.Parse(text, out error);
        if (input is null)
        {
            await Console.Error.WriteLineAsync(error);
            return 1;
        }

        var store = HookPlanStore.For(HookJson.Text(input["cwd"]));
        var hook = new ClaudeCodeHook(store, options, TimeProvider.System, message => Console.Error.WriteLine(message));
        HookOutcome outcome;
        HookPlan? registered;
        try
        {
            (outcome, registered) = await hook.HandleAsync(input, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or TimeoutException)
        {
            // A store that cannot be written must not stop the Task call: a non-blocking error.
            await Console.Error.WriteLineAsync($"taskflow hook: the plan store {store.Directory} could not be used: {ex.Message}");
            return 1;
        }

        if (registered is not null && HookServerMirror.FromEnvironment() is { } mirror)
        {
            await mirror.SaveAsync(registered, message => Console.Error.WriteLine(message), cancellationToken);
        }

        if (outcome.Stdout is not null)
        {
            await Console.Out.WriteLineAsync(outcome.Stdout);
        }

        if (outcome.Stderr is not null)
        {
            await Console.Error.WriteLineAsync(outcome.Stderr);
        }

        return outcome.ExitCode;
    }
}
