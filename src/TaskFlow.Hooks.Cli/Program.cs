using TaskFlow.Hooks;
using TaskFlow.Hooks.Cli;

if (!HookArguments.TryParse(args, out var options, out var error))
{
    await Console.Error.WriteLineAsync($"taskflow-hook: {error}");
    return 1;
}

return await HookRun.RunAsync(Console.OpenStandardInput(), Console.Out, Console.Error, options!);
