using System.CommandLine;
using TaskFlow.Hooks;

namespace TaskFlow.Server.Cli;

/// <summary>
/// <c>taskflow hook</c>: Claude Code's hook protocol on stdin and stdout. Kept free of hosting, DI
/// and the database; the native <c>taskflow-hook</c> runs the same <see cref="HookRun"/> faster. See docs/hooks.md.
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
            return await HookRun.RunAsync(Console.OpenStandardInput(), Console.Out, Console.Error, hookOptions, cancellationToken);
        });
        return command;
    }
}
